/**
 * Sign-in through OpenID providers for one `gatehouse()` instance: the providers' clients,
 * the key that seals transactions, and the single use of each transaction (a revocation
 * entry in the store, seen by every instance). The endpoints (`routes/oidc-*.ts`) use it.
 */
import { randomBytes } from 'node:crypto';
import type { GuardedStore } from '../store/guard';
import type { ResolvedOidcOptions, ResolvedOidcProvider } from './options';
import type { Emit } from '../events';
import { ProviderClient, type ProviderFailureReport } from './provider-client';
import { APP_CODE_TTL, type AppCode } from './app-code';

/** The failure's code or name as the HTTP client gave it, for the event: never its message or a response body. */
function reasonOf(error: unknown): string | null {
  // The OAuth error code of a provider's refusal (`invalid_client`): RFC 6749's, never its description.
  const oauthError = (error as { error?: unknown } | null)?.error;
  if (typeof oauthError === 'string' && /^[a-z_]{1,64}$/.test(oauthError)) return oauthError;
  const cause = (error as { cause?: unknown } | null)?.cause;
  for (const candidate of [error, cause]) {
    const code = (candidate as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code)) return code;
  }
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(name) ? name : null;
}

/** Where a transaction's single-use entry lives among the revocations. */
const USED_TRANSACTION_PREFIX = 'oidc-transaction:';
/** Where an app code's single-use entry lives among the actor's one-time uses. */
const USED_APP_CODE_PREFIX = 'oidc-app-code:';

/** The instance's providers and transactions. */
export class OidcService {
  /** Each provider's client, by name. */
  readonly clients: ReadonlyMap<string, ProviderClient>;
  /** Seals the transaction cookies. */
  readonly secret: string;

  constructor(
    readonly options: ResolvedOidcOptions,
    private readonly store: GuardedStore,
    fallbackSecret: string | null,
    emit: Emit = null,
  ) {
    // Each failure of a provider answered 502.1 is an `oidc.providerUnreachable` event.
    const report: ProviderFailureReport | null = emit
      ? (provider, stage, error) => emit({ type: 'oidc.providerUnreachable', scheme: null, actorId: null, ip: null, code: '502.1', provider, stage, reason: reasonOf(error) })
      : null;
    this.clients = new Map([...options.providers].map(([name, provider]) => [name, new ProviderClient(provider, report)]));
    // One instance without a shared secret still works: its own random key.
    this.secret = options.secret ?? fallbackSecret ?? randomBytes(32).toString('base64url');
  }

  /** The client of the provider named in the path, or `undefined`. */
  client(name: unknown): ProviderClient | undefined {
    return typeof name === 'string' ? this.clients.get(name) : undefined;
  }

  /** The provider whose issuer is `issuer`, or `undefined`. */
  providerOfIssuer(issuer: string): ResolvedOidcProvider | undefined {
    return [...this.options.providers.values()].find((provider) => provider.issuer === issuer);
  }

  /**
   * Marks the transaction used, on every instance; resolves to `false` when it was used
   * already. Two callbacks racing with one cookie may both pass here; the provider's
   * authorization code, which it redeems once, refuses the second.
   */
  async useTransaction(id: string, now: number, expiresAt: number): Promise<boolean> {
    const key = USED_TRANSACTION_PREFIX + id;
    const [usedAt] = await this.store.findRevocations!([key]);
    if (usedAt !== null && usedAt !== undefined) return false;
    await this.store.saveRevocation!(key, now, expiresAt);
    return true;
  }

  /**
   * Marks a native app's code used, on every instance, atomically (`markOneTimeUse`); resolves
   * to `false` when it was used already.
   */
  async useAppCode(code: AppCode, now: number): Promise<boolean> {
    return this.store.markOneTimeUse!(code.actorId, USED_APP_CODE_PREFIX + code.id, code.issuedAt + APP_CODE_TTL, now);
  }
}
