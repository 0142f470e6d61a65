/**
 * Which credentials a request presents, in precedence order (README, "Precedence: exactly one credential is tried").
 *
 * Pure and synchronous: it reads only what it is handed (headers and the URL-borne
 * credentials already taken off the URL) and never touches a store, so the decision
 * "which one credential is tried" costs a header parse and nothing more.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

import { splitAuthorization, type DetectionInput, type SchemeDetection } from './schemes/detection';
import { DEFAULT_PRECEDENCE, GROUP_OF_SCHEME, type SchemeGroup, type SchemeId } from './schemes/ids';
import type { UrlCredentials } from './url-credentials';

/** One credential the request presents. `malformed` ones fail with 401.2 when chosen. */
export type PresentedCredential =
  /** `credential` is what the strategy is handed; absent when it reads the credential itself (the cookie). */
  | { scheme: SchemeId; credential: string | undefined }
  | { scheme: 'malformed'; group: SchemeGroup };

/** What detection needs to know about the configuration. */
export interface DetectionConfig {
  /** Enabled groups in precedence order (disabled ones left out). */
  precedence: readonly SchemeGroup[];
  /** The same groups as a set, built once. */
  enabled: ReadonlySet<SchemeGroup>;
  /** Session cookie name, when the cookie scheme is on. */
  cookieName: string | null;
  /** Where the credentials of the schemes that are on travel (see {@link detectionConfig}). */
  table: DetectionTable;
  /**
   * A scheme that is on reads every request (see `SchemeDetection.readsEveryRequest`), so no
   * request can skip detection. Decided per instance: a registered scheme that is off costs
   * the requests of an app that leaves it off nothing.
   */
  readsEveryRequest: boolean;
}

/** The registered schemes' detection, arranged for one pass per request. */
export interface DetectionTable {
  /** By lower-case Authorization keyword: the group and the schemes that read it, each with the values it takes. */
  byKeyword: ReadonlyMap<string, { group: SchemeGroup; schemes: ReadonlyArray<{ id: SchemeId; accepts(value: string): boolean }> }>;
  /** Schemes read from elsewhere (the URL, a cookie), in registry order; `readsEveryRequest` as the scheme declares it. */
  readers: ReadonlyArray<DetectionReader>;
  /** Groups read from the Authorization header, in the default order: a header of another scheme counts as the first enabled one's. */
  headerGroups: readonly SchemeGroup[];
}

/** A scheme whose credential is read from somewhere other than the Authorization header. */
interface DetectionReader {
  id: SchemeId;
  group: SchemeGroup;
  read: NonNullable<SchemeDetection['read']>;
  readsEveryRequest: boolean;
}

/** Arranges the schemes' detection; throws when two schemes of one keyword belong to different groups. */
export function detectionTable(schemes: Iterable<{ id: SchemeId; detection: SchemeDetection }>): DetectionTable {
  const byKeyword = new Map<string, { group: SchemeGroup; schemes: Array<{ id: SchemeId; accepts(value: string): boolean; rank: number }> }>();
  const readers: DetectionReader[] = [];
  for (const { id, detection } of schemes) {
    const group = GROUP_OF_SCHEME[id];
    if (detection.authorization) {
      const { keyword, accepts, rank = 0 } = detection.authorization;
      const entry = byKeyword.get(keyword) ?? { group, schemes: [] };
      if (entry.group !== group) throw new Error(`Schemes of the Authorization keyword '${keyword}' must share a precedence group.`);
      entry.schemes.push({ id, accepts, rank });
      // Stable: equal ranks keep the registry's order.
      entry.schemes.sort((a, b) => a.rank - b.rank);
      byKeyword.set(keyword, entry);
    }
    if (detection.read) readers.push({ id, group, read: detection.read, readsEveryRequest: detection.readsEveryRequest === true });
  }
  const headerGroups = DEFAULT_PRECEDENCE.filter((group) => [...byKeyword.values()].some((entry) => entry.group === group));
  return { byKeyword, readers, headerGroups };
}

/**
 * What detection needs for one instance: the registry's table with only the readers of the
 * schemes that are on, and whether one of those reads every request.
 *
 * @param options.precedence - the enabled groups, in the configured order.
 * @param options.on - the schemes that are on.
 * @param options.cookieName - the session cookie's name, when the cookie scheme is on.
 */
export function detectionConfig(
  table: DetectionTable,
  options: { precedence: readonly SchemeGroup[]; on: ReadonlySet<SchemeId>; cookieName: string | null },
): DetectionConfig {
  const readers = table.readers.filter((reader) => options.on.has(reader.id));
  return {
    precedence: options.precedence,
    enabled: new Set(options.precedence),
    cookieName: options.cookieName,
    table: { ...table, readers },
    readsEveryRequest: readers.some((reader) => reader.readsEveryRequest),
  };
}

/** Reads the Authorization header into the credential it presents, or `null` when absent. */
function credentialFromAuthorization(header: string | undefined, enabled: ReadonlySet<SchemeGroup>, table: DetectionTable): PresentedCredential | null {
  if (header === undefined || header === '') return null;
  const split = splitAuthorization(header);
  const entry = split ? table.byKeyword.get(split.keyword.toLowerCase()) : undefined;
  if (entry && split && enabled.has(entry.group)) {
    for (const scheme of entry.schemes) {
      if (scheme.accepts(split.value)) return { scheme: scheme.id, credential: split.value };
    }
    return { scheme: 'malformed', group: entry.group };
  }
  // Any other scheme (Digest, Token, garbage, or one turned off) is presented and fails:
  // silently ignoring it would let a request the client meant to authenticate run anonymous.
  return { scheme: 'malformed', group: table.headerGroups.find((group) => enabled.has(group)) ?? 'bearer' };
}

/**
 * True when the request carried more than one Authorization header. Node keeps the first
 * in `req.headers` and drops the rest, so which one the client (or a proxy that added one)
 * meant cannot be known; reading only the first would let a valid header vouch for a bad one.
 * Callers ask only when `req.headers.authorization` is set: without one there is nothing to count.
 */
export function hasRepeatedAuthorization(rawHeaders: readonly string[] | undefined): boolean {
  if (!rawHeaders) return false;
  let seen = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    // 13 = 'authorization'.length: most names are ruled out without lower-casing.
    if (name.length === 13 && name.toLowerCase() === 'authorization' && ++seen > 1) return true;
  }
  return false;
}

/**
 * Every credential presented, in precedence order. The middleware tries only the first
 * (or refuses them all with 400.2 in `'reject'` mode when there is more than one).
 */
export function detectCredentials(
  headers: IncomingHttpHeaders,
  urlCredentials: UrlCredentials,
  config: DetectionConfig,
  socket?: Socket,
): PresentedCredential[] {
  const { enabled, table } = config;
  // Most anonymous requests carry none of these: nothing to allocate or order.
  if (
    headers.authorization === undefined && urlCredentials.urlKey === null && urlCredentials.queryApiKeys.length === 0 &&
    (config.cookieName === null || headers.cookie === undefined) && !config.readsEveryRequest
  ) {
    return [];
  }
  // Usually exactly one credential is presented: it is the answer, with no ordering to do.
  let first = credentialFromAuthorization(headers.authorization, enabled, table);
  let more: PresentedCredential[] | null = null;
  const input: DetectionInput = { headers, urlCredentials, cookieName: config.cookieName, socket };
  for (const reader of table.readers) {
    if (!enabled.has(reader.group)) continue;
    const found = reader.read(input);
    if (found === null) continue;
    const credential: PresentedCredential = found === false ? { scheme: 'malformed', group: reader.group } : { scheme: reader.id, credential: found === true ? undefined : found };
    if (first === null) first = credential;
    else (more ??= []).push(credential);
  }
  if (first === null) return [];
  // A group that is off presents nothing (an Authorization header of no enabled scheme, when no header scheme is on).
  if (more === null) return enabled.has(groupOf(first)) ? [first] : [];
  // Several: by group in precedence order (groups that are off drop out); within a group, the header's first, then the readers' in table order.
  const presented = [first, ...more];
  const ordered: PresentedCredential[] = [];
  for (const group of config.precedence) {
    for (const credential of presented) if (groupOf(credential) === group) ordered.push(credential);
  }
  return ordered;
}

/** The precedence group a credential belongs to. */
export function groupOf(credential: PresentedCredential): SchemeGroup {
  return credential.scheme === 'malformed' ? credential.group : GROUP_OF_SCHEME[credential.scheme];
}
