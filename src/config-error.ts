/**
 * The one error every configuration mistake throws: `gatehouse(options)`, the option
 * resolvers, `auth.routes()` / `auth.openapi()` / `auth.require()`, `combineStores`, the
 * exported strategies' and stores' constructors, `migrate()`, and the calls of `auth.tokens`
 * given a wrong argument. A `TypeError` (so `catch (e) { if (e instanceof
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

/**
 * The names of an options type `T`, each `true`: what {@link knownOptions} takes. Written as an
 * object literal at the call site, so a name missing from it or not in `T` does not compile,
 * and a new option cannot be added to an interface without being accepted by its check.
 */
export type OptionNames<T> = { readonly [K in keyof Required<T>]: true };

/** What {@link knownOptions} needs besides the object. */
export interface KnownOptionsContext {
  /** What the message starts with: the call the host made. Default `'gatehouse()'`. */
  where?: string;
  /**
   * How the message names the object when its path must not (an `apiKeys` entry, whose key is
   * a secret): `'apiKeys entry #2'`. Default: none.
   */
  describe?: string;
}

/**
 * Optimal-string-alignment distance (an adjacent swap counts as one edit, so `tll` is one
 * edit from `ttl`), given up once it exceeds `limit`.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) rows[0][j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}

/**
 * The known name `name` was most likely meant to be, or `undefined`: the same name in another
 * case (`clientID`), one within a couple of edits (`audiance`, `schmea`, `tll`), or one that
 * ends with it (`prefix` for `keyPrefix`).
 */
function closestOption(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const sameCase = known.find((candidate) => candidate.toLowerCase() === lower);
  if (sameCase) return sameCase;
  const limit = name.length <= 4 ? 1 : 2;
  // Ties go to the name of the same length: `rolez` meant `roles` (a slip), not `role`.
  let best: { candidate: string; distance: number; lengthGap: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase(), limit);
    const lengthGap = Math.abs(candidate.length - name.length);
    if (distance <= limit && (!best || distance < best.distance || (distance === best.distance && lengthGap < best.lengthGap))) best = { candidate, distance, lengthGap };
  }
  if (best) return best.candidate;
  return lower.length >= 4 ? known.find((candidate) => candidate.toLowerCase().endsWith(lower)) : undefined;
}

/** What an option name looks like: letters only, short; anything else is never echoed. */
const OPTION_NAME_SHAPE = /^[A-Za-z_$][A-Za-z_$]{0,39}$/;

/** `['a', 'b', 'c']` → `'a, b and c'`. */
function listOf(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '(none)') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * The one check that an object of options holds only names it knows, used by every resolver,
 * strategy and store constructor at every depth: a misspelt option (`jwt.issuers[0].clientID`
 * for `clientId`) would otherwise be dropped without a word and its check silently skipped.
 * Throws a `GatehouseConfigError` (`GATEHOUSE_UNKNOWN_OPTION`) whose `option` is the full path of
 * the unknown name (`path` + `.` + name; the name alone when `path` is `''`), suggesting the
 * close match, if any. A name that is not a word (digits, punctuation, over 40 characters) may
 * be a secret put one level off and is shown as `*`. Returns `input`.
 *
 * @example
 * ```ts
 * knownOptions(input, { ttl: true, idleTimeout: true, kinds: true } satisfies OptionNames<SessionTokenOptions>, 'sessionToken');
 * // { tll: 1 } → gatehouse(): sessionToken.tll is not an option (did you mean 'ttl'?); the options are ttl, idleTimeout and kinds.
 * ```
 */
export function knownOptions<T extends object>(input: T, names: OptionNames<T> | readonly string[], path: string, { where = 'gatehouse()', describe }: KnownOptionsContext = {}): T {
  const known = Array.isArray(names) ? (names as readonly string[]) : Object.keys(names);
  for (const name of Object.keys(input)) {
    if (known.includes(name)) continue;
    // Option names are words. A name with digits or other characters may be a secret put one
    // level off (an API key without its `apiKeys` around it), so it is not repeated.
    const shown = OPTION_NAME_SHAPE.test(name) ? name : '*';
    const option = path === '' ? shown : `${path}.${shown}`;
    const suggestion = shown === '*' ? undefined : closestOption(name, known);
    fail(option, `${describe ? `${describe}: ` : ''}${option} is not an option${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; the options are ${listOf(known)}.`, {
      where,
      code: 'GATEHOUSE_UNKNOWN_OPTION',
    });
  }
  return input;
}
