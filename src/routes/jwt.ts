/**
 * `POST /jwt/authenticate`, `POST /jwt/refresh`, `POST /jwt/verify` (README, "Endpoints"). Like login,
 * they ignore any credential sent with them.
 */
import type { Request, Response, Router } from 'express';
import type { PassportStrategy as Strategy } from '../schemes/passport-base';
import { GatehouseError, isGatehouseError } from '../errors';
import type { RoutesContext } from '../context';
import { auditedCheck, issuedEvent } from '../events';
import { runStrategy } from '../middleware/run-strategy';
import { withChangeTicket } from '../passwords/change-ticket';
import { clientGoneSignal } from '../passwords/client-gone';
import type { Actor } from '../actor';
import type { JwtResponseBody, ResponsesOptions } from '../responses';
import type { JwtIssuer } from '../schemes/jwt/issuer';
import type { RefreshTokens } from '../tokens/refresh-tokens';
import { bodyObject, readLoginBody, requiredString } from './login-body';

/** What the JWT routes need: the instance's context, and what the `jwt` scheme built. */
export interface JwtRoutesDependencies extends RoutesContext {
  /** `null` with external issuers only: then only `/verify` is served. */
  issuer: JwtIssuer | null;
  refreshTokens: RefreshTokens;
  strategy: Strategy;
}

/** Opaque and JWS tokens alike fit in this; anything longer is not a token of ours. */
const MAX_TOKEN_LENGTH = 8192;

function handle(handler: (req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response, next: (error?: unknown) => void): void => {
    handler(req, res).catch(next);
  };
}

function sendTokens(
  answer: { req: Request; res: Response; actor: Actor; endpoint: 'authenticate' | 'refresh'; shape: ResponsesOptions['jwt'] | null },
  access: { token: string; expiresAt: Date },
  refresh: { refresh: string; expiresAt: Date },
): void {
  const { req, res, actor, endpoint, shape } = answer;
  res.setHeader('Cache-Control', 'no-store');
  const body: JwtResponseBody = {
    access: access.token,
    refresh: refresh.refresh,
    accessExpiresAt: access.expiresAt.toISOString(),
    refreshExpiresAt: refresh.expiresAt.toISOString(),
  };
  res.status(200).json(shape ? shape(body, { req, actor, endpoint }) : body);
}

/** Adds the JWT endpoints to `router` under `path` (default `/jwt`). */
export function addJwtRoutes(router: Router, path: string, deps: JwtRoutesDependencies): void {
  const issuer = deps.issuer;
  if (issuer && deps.passwordCheck) {
    const passwordCheck = deps.passwordCheck;
    router.post(
      `${path}/authenticate`,
      handle(async (req, res) => {
        const { login, password } = readLoginBody(req.body);
        // The proof of identity starts here: a revokeAll from now on refuses the new family.
        const provenAt = deps.now();
        const { actor } = await auditedCheck(deps.emit ?? null, req, 'jwt', login, passwordCheck.check({ login, password, clientIp: req.ip, signal: clientGoneSignal(res) })).catch(
          (error: unknown) => withChangeTicket(deps.passwordChange, deps.store, login, error),
        );
        const refresh = await deps.refreshTokens.issue(actor.id, provenAt);
        deps.emit?.(issuedEvent(req, 'jwt', 'jwt', actor.id, refresh.expiresAt));
        sendTokens({ req, res, actor, endpoint: 'authenticate', shape: deps.config.responses.jwt }, issuer.sign(actor, refresh.familyId), refresh);
      }),
    );
  }

  if (issuer) {
    router.post(
      `${path}/refresh`,
      handle(async (req, res) => {
        const token = requiredString(bodyObject(req.body), 'refresh', MAX_TOKEN_LENGTH);
        const rotated = await deps.refreshTokens.rotate(token);
        const actor = await deps.store.findActor!(rotated.actorId);
        if (!actor) {
          await deps.refreshTokens.revokeFamily(rotated.familyId);
          throw new GatehouseError('401.2');
        }
        deps.emit?.(issuedEvent(req, 'jwt', 'jwt', actor.id, rotated.expiresAt));
        sendTokens({ req, res, actor, endpoint: 'refresh', shape: deps.config.responses.jwt }, issuer.sign(actor, rotated.familyId), rotated);
      }),
    );
  }

  router.post(
    `${path}/verify`,
    handle(async (req, res) => {
      const token = requiredString(bodyObject(req.body), 'token', MAX_TOKEN_LENGTH);
      const outcome = await runStrategy(deps.strategy, req, { credential: token, session: false });
      if (outcome.type === 'success') {
        const expiresAt = (outcome.info as { expiresAt?: Date }).expiresAt;
        res.setHeader('Cache-Control', 'no-store');
        res.status(200).json({ valid: true, expiresAt: expiresAt?.toISOString() ?? null });
        return;
      }
      if (outcome.type === 'fail') throw isGatehouseError(outcome.challenge) ? outcome.challenge : new GatehouseError('401.2');
      throw outcome.type === 'error' ? outcome.error : new GatehouseError('401.2');
    }),
  );
}
