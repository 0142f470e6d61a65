/**
 * The composite middleware (README, "Precedence: exactly one credential is tried"): detect the presented credentials, try exactly
 * the first one with its one strategy, and either set `req.user` / `req.authInfo`,
 * call `next()` anonymously when nothing was presented, or answer the failure at once.
 * A failed credential is final: no later scheme is tried, even a valid one.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { PassportStrategy as Strategy } from '../schemes/passport-base';
import type { Actor } from '../actor';
import type { SchemeId } from '../schemes/ids';
import { detectCredentials, groupOf, hasRepeatedAuthorization, type DetectionConfig } from '../detect';
import { GROUP_OF_SCHEME, onlySchemeOf, type SchemeGroup } from '../schemes/ids';
import { GatehouseError, isGatehouseError } from '../errors';
import { refusalEvent, type Emit } from '../events';
import type { AuthInfoWithReference } from '../schemes/outcome';
import type { UrlCredentialConfig } from '../url-credentials';
import { renderProblem, type RenderConfig } from './render-problem';
import { prepareExchangeForNewProperties, prepareRequestForNewProperties } from './request-shape';
import { runStrategy, type StrategyOutcome } from './run-strategy';
import { takeUrlCredentials } from './take-url-credentials';

/** What the authenticator needs. */
export interface AuthenticatorConfig {
  detection: DetectionConfig;
  urlCredentials: UrlCredentialConfig;
  multipleCredentials: 'first' | 'reject';
  /** Per precedence group, the methods its credentials are considered on (`methods` option). Default: every method. */
  methods?: Partial<Record<SchemeGroup, ReadonlySet<string>>>;
  /** The strategy of every enabled scheme. */
  strategies: Partial<Record<SchemeId, Strategy>>;
  /** Reports refused credentials (`credential.refused`, `store.error`). Default: none. */
  emit?: Emit;
}

/** What became of a request's credentials. */
export type Resolution =
  | { type: 'anonymous' }
  | { type: 'authenticated'; actor: Actor; info: AuthInfoWithReference }
  | { type: 'refused'; error: GatehouseError; invalidBearer: boolean };

const ANONYMOUS: Resolution = { type: 'anonymous' };

/** `/KEY/…`, `//key/…` and other near misses of an app-user URL (README, "Credentials in URLs"). */
const NEAR_MISS_KEY_DETAIL = 'A key in the URL must be sent as /key/{token}/… directly under the API path.';
const REPEATED_AUTHORIZATION_DETAIL = 'More than one Authorization header was sent; send exactly one.';

function refused(code: GatehouseError['code'], invalidBearer = false, detail?: string): Resolution {
  return { type: 'refused', error: new GatehouseError(code, { detail }), invalidBearer };
}

/** True for the schemes whose refusals carry RFC 6750's `error="invalid_token"` challenge. */
const isBearer = (scheme: SchemeId): boolean => GROUP_OF_SCHEME[scheme] === 'bearer';

function resolutionOf(outcome: StrategyOutcome, scheme: SchemeId): Resolution {
  const bearer = isBearer(scheme);
  switch (outcome.type) {
    case 'success':
      return { type: 'authenticated', actor: outcome.user as Actor, info: (outcome.info ?? { scheme }) as AuthInfoWithReference };
    case 'fail': {
      const error = isGatehouseError(outcome.challenge) ? outcome.challenge : new GatehouseError('401.2');
      return { type: 'refused', error, invalidBearer: bearer && error.status === 401 };
    }
    case 'error':
      // Fail closed: an error we did not raise on purpose (the store, a bug) never lets a request through.
      return {
        type: 'refused',
        error: isGatehouseError(outcome.error) ? outcome.error : new GatehouseError('503.1', { cause: outcome.error }),
        invalidBearer: false,
      };
    case 'pass':
      // Detection saw a credential the strategy did not: treat it as a failed one.
      return refused('401.2', bearer);
  }
}

/** The strategy chosen for a request, before it runs. */
interface Selection {
  type: 'run';
  scheme: SchemeId;
  strategy: Strategy;
  credential: string | undefined;
}

/** Decides who a request is; shared by the middleware and the logout endpoints. */
export class Authenticator {
  constructor(private readonly config: AuthenticatorConfig) {}

  /** Takes URL-borne credentials off the request (idempotent). */
  takeUrlCredentials(req: Request, res: Response) {
    return takeUrlCredentials(req, res, this.config.urlCredentials);
  }

  /**
   * The synchronous part: detection and the choice of one strategy. Anonymous and
   * refused-on-sight requests are decided here without a promise.
   */
  select(req: Request, res: Response): Resolution | Selection {
    const fromUrl = this.takeUrlCredentials(req, res);
    // Refused whatever else is presented: the client meant to send a key and sent it where it cannot be read.
    if (fromUrl.urlKeyNearMiss) return refused('400.1', false, NEAR_MISS_KEY_DETAIL);
    if (req.headers.authorization !== undefined && hasRepeatedAuthorization(req.rawHeaders)) {
      return refused('400.2', false, REPEATED_AUTHORIZATION_DETAIL);
    }
    const detected = detectCredentials(req.headers, fromUrl, this.config.detection, req.socket);
    // A credential of a scheme limited to other methods is not considered, as if not sent.
    const methods = this.config.methods;
    const presented = methods && detected.length > 0 ? detected.filter((credential) => methods[groupOf(credential)]?.has(req.method) ?? true) : detected;
    if (presented.length === 0) return ANONYMOUS;
    if (presented.length > 1 && this.config.multipleCredentials === 'reject') return this.reported(req, null, refused('400.2'));
    const [chosen] = presented;
    if (chosen.scheme === 'malformed') return this.reported(req, onlySchemeOf(chosen.group), refused('401.2', chosen.group === 'bearer'));
    const strategy = this.config.strategies[chosen.scheme];
    // A JWS-shaped bearer token with no JWT configuration, for example.
    if (!strategy) return this.reported(req, chosen.scheme, refused('401.2', isBearer(chosen.scheme)));
    return { type: 'run', scheme: chosen.scheme, strategy, credential: chosen.credential };
  }

  /** Runs the chosen strategy. */
  run(selection: Selection, req: Request): Promise<Resolution> {
    return runStrategy(selection.strategy, req, { credential: selection.credential, session: false }).then((outcome) => this.reported(req, selection.scheme, resolutionOf(outcome, selection.scheme)));
  }

  /** Passes `resolution` on, reporting it first when it is a refusal. */
  private reported<R extends Resolution>(req: Request, scheme: SchemeId | null, resolution: R): R {
    // A 429 was reported as `limit.exceeded` where it was decided (rate-limits/limiter.ts).
    if (resolution.type === 'refused' && resolution.error.status !== 429) this.config.emit?.(refusalEvent(req, scheme, resolution.error));
    return resolution;
  }

  async resolve(req: Request, res: Response): Promise<Resolution> {
    const selected = this.select(req, res);
    return selected.type === 'run' ? this.run(selected, req) : selected;
  }
}

/** `auth.authenticate()`: one middleware for every scheme. */
export function authenticateMiddleware(authenticator: Authenticator, render: RenderConfig): RequestHandler {
  return function gatehouseAuthenticate(req: Request, res: Response, next: NextFunction): void {
    const finish = (resolution: Resolution): void => {
      if (resolution.type === 'anonymous') return next();
      if (resolution.type === 'refused') return renderProblem(req, res, resolution.error, render, resolution.invalidBearer);
      req.user = resolution.actor;
      req.authInfo = resolution.info;
      next();
    };
    // Every request, anonymous ones too: what Express and Node do to the exchange after this
    // layer (and the host's routes) is cheaper on it (request-shape.ts, bench/profiling.md round 15).
    const requestShaped = prepareExchangeForNewProperties(req, res);
    const selected = authenticator.select(req, res);
    if (selected.type !== 'run') return finish(selected);
    // A credential is presented: the strategy (express-session, for one) and `finish` add properties to req.
    if (!requestShaped) prepareRequestForNewProperties(req);
    authenticator.run(selected, req).then(finish, next);
  };
}
