/** The answer of a JWT login or refresh: an access token and a refresh token (`responses.jwt` may reshape it). */
import type { Request, Response } from 'express';
import type { Actor } from '../actor';
import type { JwtResponseBody, ResponsesOptions } from '../responses';

/** Sends the pair, never cached. */
export function sendJwtPair(
  answer: { req: Request; res: Response; actor: Actor; endpoint: 'authenticate' | 'refresh' | 'reauthenticate'; shape: ResponsesOptions['jwt'] | null },
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
