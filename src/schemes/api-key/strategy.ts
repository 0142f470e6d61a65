/**
 * `apiKey`: `Authorization: ApiKey <key>`, or `?apikey=` / `?apiKey=` for clients that
 * can only build URLs. Keys come from the Apostrophe-shaped `apiKeys` map in the
 * configuration or are issued by the store (`tokens.issue({ kind: 'apiKey' })`).
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { StrategyBase } from '../passport-base';
import type { Actor } from '../../actor';
import { credentialFromAuthorization } from '../../detect';
import { GatehouseError } from '../../errors';
import type { GuardedStore } from '../../store/guard';
import { hashSecret, parseTokenKind } from '../../tokens/format';
import type { TokenService } from '../../tokens/token-service';
import { recordedUrlCredentials, takeCredentialsFromUrl } from '../../url-credentials';
import { authInfoFor, credentialAbsent, reportRejection, type StandaloneAuthenticateOptions } from '../outcome';

/** One entry of the `apiKeys` map (ApostropheCMS shape, extended). */
export interface ApiKeyEntry {
  /** A single role (Apostrophe's field). */
  role?: string;
  /** Several roles. Combined with `role` when both are given. */
  roles?: string[];
  /** A name for the key; also the actor id of a role-only key. Default: `apikey:` + a hash prefix. */
  label?: string;
  /** Authenticate as this store actor (with the key's roles, when given) instead of a role-only actor. */
  actorId?: string;
}

/**
 * API keys by key: plaintext (at least 16 characters) or `'sha256:<64 hex>'` so no
 * plaintext sits in configuration.
 *
 * @example
 * ```ts
 * { 'myapikey1029384756': { role: 'admin' },
 *   'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08': { roles: ['reader'], label: 'reporting' } }
 * ```
 */
export type ApiKeyMap = Record<string, ApiKeyEntry>;

/** A configured key after start-up: the actor it becomes, looked up by the key's hash. */
export interface ResolvedApiKey {
  label: string;
  roles: string[];
  actorId: string | null;
}

const SHA256_ENTRY = /^sha256:([0-9a-fA-F]{64})$/;
const MIN_PLAINTEXT_KEY_LENGTH = 16;

/**
 * Hashes every configured key once, at start-up, so requests look keys up by hash
 * (no early-exit string compare on a secret). Throws a TypeError naming a bad entry
 * by its position, never by the key itself.
 */
export function resolveApiKeys(map: ApiKeyMap): Map<string, ResolvedApiKey> {
  if (!map || typeof map !== 'object' || Array.isArray(map)) {
    throw new TypeError("apiKeys must be an object mapping each key to { role } (or false to turn API keys off).");
  }
  const resolved = new Map<string, ResolvedApiKey>();
  Object.entries(map).forEach(([key, entry], index) => {
    const where = `apiKeys entry #${index + 1}${entry && typeof entry.label === 'string' ? ` ("${entry.label}")` : ''}`;
    const sha = SHA256_ENTRY.exec(key);
    if (!sha && key.length < MIN_PLAINTEXT_KEY_LENGTH) {
      throw new TypeError(`${where}: a plaintext key must be at least ${MIN_PLAINTEXT_KEY_LENGTH} characters; prefer 'sha256:<hex>'.`);
    }
    if (!sha && !/^[\x21-\x7e]+$/.test(key)) {
      throw new TypeError(`${where}: a key may hold only printable ASCII without spaces.`);
    }
    if (!entry || typeof entry !== 'object') throw new TypeError(`${where}: the value must be an object such as { role: 'admin' }.`);
    if (entry.role !== undefined && typeof entry.role !== 'string') throw new TypeError(`${where}: role must be a string.`);
    if (entry.roles !== undefined && !(Array.isArray(entry.roles) && entry.roles.every((r) => typeof r === 'string'))) {
      throw new TypeError(`${where}: roles must be an array of strings.`);
    }
    if (entry.label !== undefined && typeof entry.label !== 'string') throw new TypeError(`${where}: label must be a string.`);
    if (entry.actorId !== undefined && (typeof entry.actorId !== 'string' || entry.actorId === '')) {
      throw new TypeError(`${where}: actorId must be a non-empty string.`);
    }
    const hash = sha ? sha[1].toLowerCase() : hashSecret(key);
    if (resolved.has(hash)) throw new TypeError(`${where}: the same key is listed twice.`);
    const roles = [...new Set([...(entry.role ? [entry.role] : []), ...(entry.roles ?? [])])];
    resolved.set(hash, { label: entry.label ?? `apikey:${hash.slice(0, 12)}`, roles, actorId: entry.actorId ?? null });
  });
  return resolved;
}

/** The `sha256:<hex>` form of a key, for putting in configuration instead of the key. */
export function apiKeyDigest(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

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
  store?: Pick<GuardedStore, 'findActor'>;
  /**
   * Let a request that presents no credential of this kind through anonymously (`pass()`), for
   * routes that serve both. Default `false`: used alone, the strategy answers such a request
   * with 401, so `passport.authenticate('apiKey')` never runs a handler without `req.user`.
   * Also accepted per route: `passport.authenticate('apiKey', { session: false, optional: true })`.
   * @example new ApiKeyStrategy({ keys, optional: true })
   */
  optional?: boolean;
}

const API_KEY_ONLY = new Set(['apiKey'] as const);

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
  private readonly store: Pick<GuardedStore, 'findActor'> | undefined;
  private readonly optional: boolean;

  constructor(options: ApiKeyStrategyOptions = {}) {
    super();
    // A Map is what resolveApiKeys returns; the map a user writes is a plain object, validated here.
    this.keys = options.keys instanceof Map ? options.keys : options.keys === undefined ? new Map() : resolveApiKeys(options.keys);
    this.tokens = options.tokens;
    this.store = options.store;
    this.optional = options.optional === true;
  }

  override authenticate(req: Request, options?: StandaloneAuthenticateOptions): void {
    const key = options?.credential ?? apiKeyOf(req);
    if (key === null) return credentialAbsent(this, options?.optional ?? this.optional);
    if (key === '') return this.fail(new GatehouseError('401.2'), 401);
    this.resolve(key).then(
      ({ actor, reference }) => this.success(actor, authInfoFor({ scheme: 'apiKey', tokenKind: 'apiKey' }, reference)),
      (error: unknown) => reportRejection(this, error),
    );
  }

  private async resolve(key: string) {
    const hash = hashSecret(key);
    const configured = this.keys.get(hash);
    if (configured) return { actor: await this.configuredActor(configured), reference: { type: 'static' } as const };
    if (this.tokens && parseTokenKind(key) === 'apiKey') {
      const verified = await this.tokens.authenticate(key, ['apiKey']);
      return { actor: verified.actor, reference: { type: 'token', hash: verified.hash, kind: verified.kind } as const };
    }
    throw new GatehouseError('401.2');
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
  const presented = credentialFromAuthorization(req.headers.authorization, API_KEY_ONLY);
  if (presented?.scheme === 'apiKey') return presented.key;
  if (presented) return '';
  const fromUrl = recordedUrlCredentials(req) ?? takeCredentialsFromUrl(req.url, { appUserUrl: false, apiKeyQuery: true });
  if (fromUrl.queryApiKeys.length === 0) return null;
  return fromUrl.queryApiKeys.length === 1 ? fromUrl.queryApiKeys[0] : '';
}
