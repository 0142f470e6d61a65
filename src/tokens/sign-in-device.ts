/**
 * Where a sign-in came from, as `GET {account}/sessions` shows it: the User-Agent sent with the
 * login (kept raw, bounded) and a device description parsed from it with ua-parser-js (1.x,
 * MIT), and the client address only when the host opts in (`selfService.recordIp`). Pure: the
 * login path records it (`issue-login.ts`), the list reads it back out of the record.
 */
import { onFirstUse } from '../on-first-use';

/** ua-parser-js (~0.4 MB of heap), loaded when a device is first described: most requests never list sign-ins. */
const parserClass = onFirstUse(() => (require('ua-parser-js') as typeof import('ua-parser-js')).UAParser);

/** What a sign-in records about the client that made it; kept in the credential record's `data` as `signIn`. */
export interface SignInOrigin {
  /** The `User-Agent` header of the login request, control characters removed, at most 512 characters; `null` when none was sent. */
  userAgent: string | null;
  /** `req.ip` of the login request, only with `selfService.recordIp: true`. */
  ip?: string;
}

/** What a device description says, parsed from the User-Agent. */
export interface DeviceDescription {
  /** For people: `'Chrome 120 on Linux'`, `'Mobile Safari 17 on iOS (mobile)'`, or `'Unknown device'`. */
  description: string;
  /** Browser (or client) name, or `null`. */
  browser: string | null;
  /** Operating system name, or `null`. */
  os: string | null;
  /** `'mobile'`, `'tablet'`, … as ua-parser-js reports it; `null` for desktops and unknown clients. */
  type: string | null;
}

/** Longest User-Agent kept: real ones are a few hundred characters; the rest is noise or abuse. */
const MAX_USER_AGENT_LENGTH = 512;

/** The origin to record for a login request with these headers. */
export function signInOrigin(userAgent: unknown, ip: string | undefined, recordIp: boolean): SignInOrigin {
  const cleaned = typeof userAgent === 'string' ? userAgent.replace(/[\x00-\x1f\x7f]/g, '').slice(0, MAX_USER_AGENT_LENGTH) : '';
  return { userAgent: cleaned === '' ? null : cleaned, ...(recordIp && typeof ip === 'string' ? { ip } : {}) };
}

/** The origin kept in a record's `data`, or `null` when it has none (or a store mangled it). */
export function readSignInOrigin(value: unknown): SignInOrigin | null {
  if (!value || typeof value !== 'object') return null;
  const { userAgent, ip } = value as { userAgent?: unknown; ip?: unknown };
  if (userAgent !== null && typeof userAgent !== 'string') return null;
  return { userAgent, ...(typeof ip === 'string' ? { ip } : {}) };
}

/** The device a User-Agent names, for people to recognise a sign-in by. */
export function describeDevice(userAgent: string | null): DeviceDescription {
  if (!userAgent) return { description: 'Unknown device', browser: null, os: null, type: null };
  const { browser, os, device } = new (parserClass())(userAgent).getResult();
  const browserName = browser.name ? `${browser.name}${browser.major ? ` ${browser.major}` : ''}` : null;
  const parts = [browserName, os.name ? `on ${os.name}` : null, device.type ? `(${device.type})` : null].filter((part): part is string => part !== null);
  return {
    description: parts.length > 0 ? parts.join(' ') : 'Unknown device',
    browser: browser.name ?? null,
    os: os.name ?? null,
    type: device.type ?? null,
  };
}
