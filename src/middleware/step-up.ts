/**
 * The step-up rules of `auth.require({ maxAge, acr })` (README, "Step-up: recent and stronger
 * sign-ins"): how recent and how strong the sign-in behind a credential must be, judged from
 * `req.authInfo.authTime` and `acr`, and the refusal, 401.6, with RFC 9470's challenge on a
 * bearer scheme.
 */
import type { Request } from 'express';
import { acrSatisfies } from '../authentication-proof';
import { fail } from '../config-error';
import { GatehouseError } from '../errors';
import { bearerChallengeValue } from '../schemes/outcome';

/** What a route requires of the sign-in behind a credential. */
export interface StepUpRequirement {
  /** The oldest proof let in, in ms; `null`: any age. */
  maxAge: number | null;
  /** The `acr` values let in (or a stronger one of Gatehouse's levels); `null`: any. */
  acr: string[] | null;
}

/** What a credential falls short of. */
interface Shortfall {
  maxAge: boolean;
  acr: boolean;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An `acr` value: printable ASCII without spaces, quotes or backslashes (it goes into a quoted header value as it is). */
const ACR_VALUE = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/;

const WHERE = { where: 'auth.require()' };

/** `maxAge` as ms: a whole number of ms, or `'<n>s'`, `'<n>m'`, `'<n>h'`, `'<n>d'`; at least one second. */
function maxAgeOption(value: unknown): number | null {
  if (value === undefined) return null;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^[1-9][0-9]{0,8}[smhd]$/.test(value) ? Number(value.slice(0, -1)) * UNIT_MS[value.slice(-1)]! : NaN;
  if (!Number.isSafeInteger(parsed) || parsed < 1000) {
    fail('maxAge', "maxAge must be a duration such as '10m', '30s', '1h' or '1d', or a whole number of milliseconds, at least one second.", WHERE);
  }
  return parsed;
}

function acrOption(value: unknown): string[] | null {
  if (value === undefined) return null;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === 'string' && ACR_VALUE.test(item))) {
    fail('acr', "acr must be an acr value such as 'mfa', or a non-empty array of them (printable ASCII without spaces, quotes or backslashes).", WHERE);
  }
  return [...new Set(list as string[])];
}

/** The route's step-up requirement from `require()`'s options, checked at construction; `null` when it has none. */
export function stepUpRequirement(maxAge: unknown, acr: unknown): StepUpRequirement | null {
  const requirement = { maxAge: maxAgeOption(maxAge), acr: acrOption(acr) };
  return requirement.maxAge === null && requirement.acr === null ? null : requirement;
}

/**
 * What the request's credential falls short of, or `null` when it meets the requirement. A
 * credential without a proof (no `authTime`: API keys, app-user keys, personal tokens, a JWT
 * without `auth_time`) never meets a `maxAge`; one without an `acr`, never an `acr`. A proof
 * stamped in the future (another instance's clock ahead) counts as made now.
 */
export function stepUpShortfall(req: Request, requirement: StepUpRequirement, now: number): Shortfall | null {
  const info = req.authInfo;
  const authTime = info?.authTime instanceof Date ? info.authTime.getTime() : NaN;
  const maxAge = requirement.maxAge !== null && !(now - authTime <= requirement.maxAge);
  const acr = requirement.acr !== null && !acrSatisfies(info?.acr, requirement.acr);
  return maxAge || acr ? { maxAge, acr } : null;
}

/** `max_age` of the challenge and problem: whole seconds (RFC 9470 §3), never more than the route allows. */
function maxAgeSeconds(requirement: StepUpRequirement): number | null {
  return requirement.maxAge === null ? null : Math.floor(requirement.maxAge / 1000);
}

/** RFC 9470's `error_description`, in the wording of its own examples. */
function description(shortfall: Shortfall): string {
  if (shortfall.maxAge && shortfall.acr) return 'A more recent authentication at a different level is required';
  return shortfall.maxAge ? 'More recent authentication is required' : 'A different authentication level is required';
}

/**
 * 401.6 for `actor`, whose credential falls short: `maxAge` (seconds) and `acrValues` in the
 * body, as the route requires them (all of them, so one new sign-in meets every rule); on a
 * bearer scheme also `WWW-Authenticate: Bearer realm="…", error="insufficient_user_authentication",
 * error_description="…", acr_values="…", max_age="…"` (RFC 9470 §3, the values quoted as in its examples).
 */
export function insufficientUserAuthentication(actor: Express.User, requirement: StepUpRequirement, shortfall: Shortfall, realm: string, bearer: boolean): GatehouseError {
  const seconds = maxAgeSeconds(requirement);
  let challenge = `${bearerChallengeValue(realm, false)}, error="insufficient_user_authentication", error_description="${description(shortfall)}"`;
  // acr values hold no `"` or `\` (checked at construction), so they need no escaping.
  if (requirement.acr) challenge += `, acr_values="${requirement.acr.join(' ')}"`;
  if (seconds !== null) challenge += `, max_age="${seconds}"`;
  return new GatehouseError('401.6', {
    actor,
    extensions: { ...(seconds !== null ? { maxAge: seconds } : {}), ...(requirement.acr ? { acrValues: requirement.acr } : {}) },
    headers: bearer ? { 'WWW-Authenticate': challenge } : {},
  });
}
