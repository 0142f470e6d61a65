/**
 * The base classes of Gatehouse's strategies, typed with the passport contract written out
 * here. At runtime they are passport-strategy's `Strategy`, passport-http's `BasicStrategy`,
 * passport-http-bearer's and passport-jwt's `Strategy`; their published types are not
 * referenced, so a TypeScript app needs none of their `@types` packages — which would also
 * add `req.login()`, `req.isAuthenticated()` and a non-optional `req.session` to every
 * Express request, none of which Gatehouse installs.
 */
import type { Request } from 'express';
import { BasicStrategy } from 'passport-http';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import { Strategy as PassportJwtStrategy } from 'passport-jwt';
import { Strategy as PassportStrategyClass } from 'passport-strategy';
import type { Actor } from '../actor';

/**
 * A passport strategy: `authenticate` looks at the request and calls exactly one of
 * `success`, `fail`, `error`, `pass` or `redirect`, which passport adds to a per-request copy.
 */
export interface PassportStrategy {
  /** The name `passport.use()` registers the strategy under. */
  name?: string;
  /** Looks at the request and reports one outcome. */
  authenticate(req: Request, options?: object): void;
  /** The request acts as `user`; `info` becomes `req.authInfo`. */
  success(user: Actor, info?: object): void;
  /** The credential was refused; Gatehouse passes its `GatehouseError` as the challenge. */
  fail(challenge?: unknown, status?: number): void;
  /** Sends the client elsewhere (not used by Gatehouse's strategies). */
  redirect(url: string, status?: number): void;
  /** This strategy has nothing to say about the request. */
  pass(): void;
  /** Something broke (a store outage); the request fails closed. */
  error(err: Error): void;
}

/** passport-strategy's `Strategy`. */
export const StrategyBase = PassportStrategyClass as unknown as new () => PassportStrategy;

/** passport-http's `BasicStrategy`. */
export const BasicStrategyBase = BasicStrategy as unknown as new (options: { realm: string }, verify: () => void) => PassportStrategy;

/** passport-http-bearer's `Strategy`. */
export const BearerStrategyBase = BearerStrategy as unknown as new (verify: () => void) => PassportStrategy;

/** The options of passport-jwt's `Strategy` that Gatehouse uses (its public, documented ones). */
export interface PassportJwtOptions {
  jwtFromRequest(req: object): string | null;
  secretOrKeyProvider(req: object, token: unknown, done: (error: unknown, key?: unknown) => void): void;
  algorithms?: string[];
  issuer?: string;
  audience?: string | RegExp | Array<string | RegExp>;
  ignoreExpiration?: boolean;
  jsonWebTokenOptions?: { ignoreNotBefore?: boolean };
}

/** passport-jwt's `Strategy`. */
export const JwtStrategyBase = PassportJwtStrategy as unknown as new (options: PassportJwtOptions, verify: (claims: never, done: (error: unknown, user?: unknown) => void) => void) => PassportStrategy;
