/**
 * The one error every configuration mistake throws: `gatehouse(options)`, the option
 * resolvers, `auth.routes()` / `auth.openapi()` / `auth.require()`, `combineStores` and the
 * exported strategies' constructors. A `TypeError` (so `catch (e) { if (e instanceof
 * TypeError) … }` keeps working) carrying a machine-readable `code` and the `option` at fault,
 * so a program or a test can tell mistakes apart without matching prose.
 */

/**
 * What kind of mistake a {@link GatehouseConfigError} reports. A closed list; a new kind is a
 * new minor version.
 *
 * - `'GATEHOUSE_INVALID_OPTION'`: a value of the wrong type, range or shape (`jwt.secret`
 *   too short, `lockout.by: 'ip'`, a path with a trailing slash).
 * - `'GATEHOUSE_UNKNOWN_OPTION'`: a name that is not an option (usually a typo: `apikeys`,
 *   `lockout.maxAtempts`), or a value outside a closed list of names (`precedence: ['oauth']`,
 *   `methods.oauth`, `auth.require({ schemes: ['bearer'] })`).
 * - `'GATEHOUSE_MISSING_OPTION'`: something required was not given (`store`, `jwt` without a
 *   key or issuer, a strategy built without its `tokens` or `passwordCheck`).
 * - `'GATEHOUSE_CONFLICTING_OPTIONS'`: each option is valid alone, but not together
 *   (`jwt.secret` with `jwt.privateKey`, `login.credentials: 'cookie'` without `cookie`,
 *   `responses.error` with `formatError`).
 * - `'GATEHOUSE_STORE_METHODS_MISSING'`: the store (or a part given to `combineStores`) lacks
 *   methods the features turned on need; `option` is `'store'` (or the part).
 */
export type GatehouseConfigErrorCode =
  | 'GATEHOUSE_INVALID_OPTION'
  | 'GATEHOUSE_UNKNOWN_OPTION'
  | 'GATEHOUSE_MISSING_OPTION'
  | 'GATEHOUSE_CONFLICTING_OPTIONS'
  | 'GATEHOUSE_STORE_METHODS_MISSING';

/** Every {@link GatehouseConfigErrorCode}, in the order documented. */
export const GATEHOUSE_CONFIG_ERROR_CODES = [
  'GATEHOUSE_INVALID_OPTION',
  'GATEHOUSE_UNKNOWN_OPTION',
  'GATEHOUSE_MISSING_OPTION',
  'GATEHOUSE_CONFLICTING_OPTIONS',
  'GATEHOUSE_STORE_METHODS_MISSING',
] as const satisfies readonly GatehouseConfigErrorCode[];

/**
 * A configuration mistake, thrown at construction (never at request time). `message` names
 * the option and the fix and never echoes a secret (a key, a pepper, an API key).
 *
 * @example
 * ```ts
 * try {
 *   gatehouse({ store, jwt: { secret: 'short' } });
 * } catch (error) {
 *   if (error instanceof GatehouseConfigError) console.error(error.code, error.option); // GATEHOUSE_INVALID_OPTION jwt.secret
 *   throw error;
 * }
 * ```
 */
export class GatehouseConfigError extends TypeError {
  /** Always `'GatehouseConfigError'` (set on the prototype, so stack traces carry it too). */
  declare readonly name: 'GatehouseConfigError';
  /** What kind of mistake it is. */
  readonly code: GatehouseConfigErrorCode;
  /**
   * The option at fault, as its path is written in the options: `'jwt.secret'`,
   * `'jwt.keys[1].kid'`, `'basic.realm'`, `'paths.logout'` (for `auth.routes()`), `'store'`.
   * `''` when the options argument itself is wrong (not an object). An entry of `apiKeys`
   * is named `'apiKeys.*'` (its fields `'apiKeys.*.role'` and so on), never by its key,
   * which is a secret; the message gives the entry's position.
   */
  readonly option: string;

  constructor(message: string, details: { code: GatehouseConfigErrorCode; option: string }) {
    super(message);
    this.code = details.code;
    this.option = details.option;
  }
}
Object.defineProperty(GatehouseConfigError.prototype, 'name', { value: 'GatehouseConfigError', writable: true, configurable: true, enumerable: false });

/** Where a check runs and what kind of mistake it reports; see {@link fail}. */
export interface FailOptions {
  /** What the message starts with: the call the host made. Default `'gatehouse()'`. */
  where?: string;
  /** Default `'GATEHOUSE_INVALID_OPTION'`. */
  code?: GatehouseConfigErrorCode;
}

/**
 * Throws the {@link GatehouseConfigError} for `option`, with the message `${where}: ${message}`.
 * The one way a configuration check fails.
 *
 * @example
 * ```ts
 * fail('lockout.by', "lockout.by must be 'login' or 'login+ip'; default 'login'.");
 * fail('paths.jwt', "paths.jwt must be a path such as '/jwt' (no trailing slash).", { where: 'auth.routes()' });
 * ```
 */
export function fail(option: string, message: string, { where = 'gatehouse()', code = 'GATEHOUSE_INVALID_OPTION' }: FailOptions = {}): never {
  throw new GatehouseConfigError(`${where}: ${message}`, { code, option });
}

/** A positive whole number of milliseconds, or `fallback` when absent. */
export function durationOption(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    fail(option, `${option} must be a positive whole number of milliseconds (default ${fallback}).`);
  }
  return value;
}

/** An object of options, `false` (off), `undefined` (the defaults); `true` counts as `{}`. */
export function objectOrFalse<T extends object>(value: unknown, option: string): T | false | undefined {
  if (value === undefined || value === false) return value;
  if (value === true) return {} as T;
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(option, `${option} must be an object of options, or false to turn it off.`);
  return value as T;
}
