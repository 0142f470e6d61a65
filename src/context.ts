/**
 * What every part of one `gatehouse()` instance shares, built once and handed as one object
 * to the scheme builders (`schemes/registry.ts`) and the routes (`routes/`). A concern that
 * cuts across them — audit events, response shaping, the clock — is a field here, reached
 * without new plumbing; what belongs to one request travels with the request (`req`).
 */
import type { Request, Response } from 'express';
import type { GatehouseError } from './errors';
import type { Emit, ReportCallbackError } from './events';
import type { ResolvedOptions } from './resolved-options';
import type { ChangeTickets } from './passwords/change-ticket';
import type { PasswordHasher } from './passwords/hasher';
import type { PasswordCheck } from './passwords/password-check';
import type { SecondFactors } from './second-factor/second-factors';
import type { GuardedStore } from './store/guard';
import type { Revocations } from './tokens/revocations';
import type { SignIns } from './tokens/sign-ins';
import type { TokenService } from './tokens/token-service';
import type { RateLimiter } from './rate-limits/limiter';

/** The expired-password change step (`passwordChange`): tickets, and the hasher for the new password. */
interface PasswordChangeStep {
  tickets: ChangeTickets;
  hasher: Pick<PasswordHasher, 'hash' | 'verify' | 'accepts'>;
}

/** The instance-wide services (one per `gatehouse()` call). */
export interface GatehouseContext {
  /** Every resolved option: `config.schemes` holds each scheme's settings, `config.responses` the shapers. */
  config: ResolvedOptions;
  /** The store, every call failing closed (503.1). */
  store: GuardedStore;
  /** Opaque tokens: issuing, verifying, listing, revoking. */
  tokens: TokenService;
  /** The per-actor "not before" and revoked JWT ids. */
  revocations: Revocations;
  /** A user's own sign-ins: listing, ending one, ending the others (`selfService`); `null` when the store cannot list tokens. */
  signIns: SignIns | null;
  /** The shared login-and-password check (lockout, bcrypt queue), when the store can look logins up. */
  passwordCheck: PasswordCheck | null;
  /** The expired-password change step, when `passwordChange` is on. */
  passwordChange: PasswordChangeStep | null;
  /** Second factors (`secondFactor`): enrolment, recovery codes, the challenge's tickets and code check; `null` when off. */
  secondFactors: SecondFactors | null;
  /** Audit events (`onEvent`); `null` without a listener. */
  emit: Emit;
  /** Reports a host callback that failed (`callback.error`, or one warning without `onEvent`). */
  reportCallbackError: ReportCallbackError;
  /** The clock, ms since the epoch (`now` option). */
  now: () => number;
  /** API key rate limits (`rateLimits`), or `null` when off. */
  limiter: RateLimiter | null;
}

/** What the routes add to it once the schemes are built: rendering a refusal the way `authenticate()` does. */
export interface RoutesContext extends GatehouseContext {
  /** Sends a GatehouseError as the response (problem details, or `responses.error`'s shape, with the challenges). */
  sendProblem(req: Request, res: Response, error: GatehouseError): void;
}
