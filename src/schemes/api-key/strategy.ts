/**
 * `apiKey`: `Authorization: ApiKey <key>`, or `?apikey=` / `?apiKey=` for clients that
 * can only build URLs. Keys come from the Apostrophe-shaped `apiKeys` map in the
 * configuration or are issued by the store (`tokens.issue({ kind: 'apiKey' })`).
 */
import type { Request } from 'express';
import { StrategyBase } from '../passport-base';
import type { Actor } from '../../actor';
import { readOwnAuthorization } from '../detection';
import { API_KEY_DETECTION } from './detection';
import { GatehouseError } from '../../errors';
import { guardStore, type Guarded } from '../../store/guard';
import type { GatehouseStore } from '../../store/types';
import { hashSecret, parseTokenKind } from '../../tokens/format';
import { apiKeyShape } from '../../tokens/api-key-format';
import { resolveApiKeys, type ApiKeyMap, type ResolvedApiKey } from './options';
import type { TokenService } from '../../tokens/token-service';
import { recordedUrlCredentials, takeCredentialsFromUrl } from '../../url-credentials';
import type { CredentialReference } from '../../credential-reference';
import { authInfoFor, credentialAbsent, reportRejection, type StandaloneAuthenticateOptions } from '../outcome';
import { fail, knownOptions, type OptionNames } from '../../config-error';
import type { RateLimiter } from '../../rate-limits/limiter';
import { keyLimitsOption } from '../../rate-limits/options';
import type { TokenCounting } from '../../tokens/token-service';

/** Options of {@link ApiKeyStrategy}. */
export interface ApiKeyStrategyOptions {
  /**
   * Configured keys: the map as `gatehouse()`'s `apiKeys` takes it (validated here, with the
   * same checks), or what `resolveApiKeys` returned for it. Default: none.
   * @example new ApiKeyStrategy({ keys: { 'myapikey1029384756': { role: 'admin' } } })
   */
  keys?: ApiKeyMap | Map<string, ResolvedApiKey>;
  /** For store-issued keys (`kind: 'apiKey'`). Default: none, so only configured keys work. */
  tokens?: TokenService;
  /** For configured keys with an `actorId`. */
  store?: Pick<Partial<GatehouseStore>, 'findActor'>;
  /**
   * A store call that takes longer than this many milliseconds fails closed with 503.1, as
   * `gatehouse()`'s `storeTimeout` does. Default `5000`. A store `gatehouse()` already guards
   * keeps that instance's timeout.
   * @example new ApiKeyStrategy({ keys, store, storeTimeout: 2000 })
   */
  storeTimeout?: number;
  /**
   * Let a request that presents no credential of this kind through anonymously (`pass()`), for
   * routes that serve both. Default `false`: used alone, the strategy answers such a request
   * with 401, so `passport.authenticate('apiKey')` never runs a handler without `req.user`.
   * Also accepted per route: `passport.authenticate('apiKey', { session: false, optional: true })`.
   * @example new ApiKeyStrategy({ keys, optional: true })
   */
  optional?: boolean;
  /**
   * Counts each key's requests against `rateLimits` (README, "Rate limits and quotas");
   * `gatehouse()` passes the one it builds from its `rateLimits` option. Default: none (keys
   * are not limited, and an entry with `limits` is refused).
   */
  rateLimiter?: RateLimiter;
}

/** The options of {@link ApiKeyStrategy}; a compile error when it and {@link ApiKeyStrategyOptions} disagree. */
const OPTION_NAMES: OptionNames<ApiKeyStrategyOptions> = { keys: true, tokens: true, store: true, storeTimeout: true, optional: true, rateLimiter: true };

/**
 * Passport strategy for API keys.
 *
 * @example
 * ```ts
 * passport.use(new ApiKeyStrategy({ keys: { 'myapikey1029384756': { role: 'admin' } } }));
 * ```
 */
export class ApiKeyStrategy extends StrategyBase {
  override name = 'apiKey';
  private readonly keys: Map<string, ResolvedApiKey>;
  private readonly tokens: TokenService | undefined;
  private readonly store: Guarded<Pick<Partial<GatehouseStore>, 'findActor'>> | undefined;
  private readonly optional: boolean;
  private readonly limiter: RateLimiter | null;

  constructor(options: ApiKeyStrategyOptions = {}) {
    super();
    knownOptions(options ?? {}, OPTION_NAMES, '', { where: 'ApiKeyStrategy' });
    // A Map is what resolveApiKeys returns; the map a user writes is a plain object, validated as gatehouse() validates its apiKeys.
    this.keys = options.keys instanceof Map ? options.keys : options.keys === undefined ? new Map() : resolveApiKeys(options.keys, 'gatehouse()');
    this.tokens = options.tokens;
    this.store = options.store ? guardStore(options.store, options.storeTimeout) : undefined;
    this.optional = options.optional === true;
    this.limiter = options.rateLimiter ?? null;
    // A class named by an entry must exist; resolved once, here.
    for (const configured of this.keys.values()) {
      if (configured.limits === undefined) continue;
      if (!this.limiter) fail('apiKeys.*.limits', `apiKeys entry "${configured.label}": limits needs the rateLimits option.`);
      if (typeof configured.limits === 'string') configured.limits = keyLimitsOption(configured.limits, this.limiter.config.classes, 'apiKeys.*.limits', 'gatehouse()');
    }
  }

  override authenticate(req: Request, options?: StandaloneAuthenticateOptions): void {
    const key = options?.credential ?? apiKeyOf(req);
    if (key === null) return credentialAbsent(this, options?.optional ?? this.optional);
    if (key === '') return this.fail(new GatehouseError('401.2'), 401);
    this.resolve(key, req).then(
      ({ actor, reference, scopes }) => this.success(actor, authInfoFor({ scheme: 'apiKey', tokenKind: 'apiKey' }, reference, scopes)),
      (error: unknown) => reportRejection(this, error),
    );
  }

  private async resolve(key: string, req: Request): Promise<{ actor: Actor; reference: CredentialReference; scopes: string[] | undefined }> {
    const tokenKind = parseTokenKind(key);
    const shape = tokenKind === null ? apiKeyShape(key) : 'other';
    // A key of Gatehouse's format whose checksum is wrong was mistyped or cut short: refused
    // before the configured keys or the store are asked (configured keys of this shape passed
    // the same check at start-up).
    if (shape === 'mistyped') throw new GatehouseError('401.2');
    const hash = hashSecret(key);
    const configured = this.keys.get(hash);
    if (configured) {
      if (this.limiter) {
        const actorSubject = configured.actorId ?? configured.label;
        const own = typeof configured.limits === 'string' ? undefined : configured.limits;
        await this.limiter.countConfigured(req, configured.label, actorSubject, own, { scheme: 'apiKey', actorId: actorSubject, credentialId: configured.label });
      }
      return { actor: await this.configuredActor(configured), reference: { type: 'static' }, scopes: configured.scopes && [...configured.scopes] };
    }
    if (this.tokens && (tokenKind === 'apiKey' || shape === 'wellFormed')) {
      // Its format was checked above (claimedTokenKind answers 'apiKey' for it): hashed once, for the map and the store.
      const verified = await this.tokens.authenticateHashed(hash, 'apiKey', this.limiter ? this.counting(req) : undefined);
      return { actor: verified.actor, reference: { type: 'token', hash: verified.hash, kind: verified.kind }, scopes: verified.scopes };
    }
    throw new GatehouseError('401.2');
  }

  /** How a store-issued key's check counts this request (`rateLimits`). */
  private counting(req: Request): TokenCounting {
    const limiter = this.limiter!;
    const cost = limiter.costOf(req);
    const plan = limiter.tokenPlan('apiKey', cost);
    return {
      plan,
      failOpen: limiter.config.failOpen,
      settle: (record, outcome) => limiter.settle(req, outcome, cost, { scheme: 'apiKey', actorId: record.actorId, credentialId: record.id ?? null }),
    };
  }

  private async configuredActor(configured: ResolvedApiKey): Promise<Actor> {
    if (configured.actorId === null) return { id: configured.label, kind: 'apiKey', roles: [...configured.roles], displayName: configured.label };
    const actor = this.store?.findActor ? await this.store.findActor(configured.actorId) : null;
    if (!actor) throw new GatehouseError('401.2');
    // A copy: the host's store may cache and share its actor objects, which must not gain the key's roles.
    return configured.roles.length > 0 ? { ...actor, roles: [...configured.roles] } : actor;
  }
}

function apiKeyOf(req: Request): string | null {
  const presented = readOwnAuthorization(req.headers.authorization, API_KEY_DETECTION);
  if (typeof presented === 'string') return presented;
  if (presented === false) return '';
  const fromUrl = recordedUrlCredentials(req) ?? takeCredentialsFromUrl(req.url, { appUserUrl: false, apiKeyQuery: true });
  if (fromUrl.queryApiKeys.length === 0) return null;
  return fromUrl.queryApiKeys.length === 1 ? fromUrl.queryApiKeys[0] : '';
}
