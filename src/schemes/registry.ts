/**
 * Every scheme, listed once. `gatehouse()` builds the schemes that are on from this list;
 * detection, `auth.require({ schemes })` and the README's scheme table derive from the ids
 * it is keyed by (`ids.ts`). A scheme left out here does not compile;
 * `test/schemes.registry.test.ts` fails when one is left out anywhere else.
 */
import { API_KEY_SCHEME } from './api-key';
import { APP_USER_URL_SCHEME } from './app-user-url';
import { BASIC_SCHEME } from './basic';
import { COOKIE_SCHEME } from './cookie';
import { detectionTable, type DetectionTable } from '../detect';
import type { ResolvedOptions } from '../options';
import type { BuiltScheme, SchemeContext, SchemeDefinition } from './definition';
import { SCHEME_IDS, type SchemeId } from './ids';
import { JWT_SCHEME } from './jwt';
import { SESSION_TOKEN_SCHEME } from './session-token';

/** The definition of every scheme, by id. */
export const SCHEMES = {
  appUserUrl: APP_USER_URL_SCHEME,
  sessionToken: SESSION_TOKEN_SCHEME,
  jwt: JWT_SCHEME,
  apiKey: API_KEY_SCHEME,
  basic: BASIC_SCHEME,
  cookie: COOKIE_SCHEME,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each definition's own settings type
} as const satisfies { readonly [Id in SchemeId]: SchemeDefinition<Id, any, BuiltScheme> };

/** The definitions in `SCHEME_IDS` order (the README's). */
export const SCHEME_DEFINITIONS: ReadonlyArray<(typeof SCHEMES)[SchemeId]> = SCHEME_IDS.map((id) => SCHEMES[id]);

/** What building a scheme gives, by id. */
export type BuiltSchemes = { [Id in SchemeId]?: ReturnType<(typeof SCHEMES)[Id]['build']> };

/** The registered schemes' detection, arranged once for every instance. */
export const DETECTION_TABLE: DetectionTable = detectionTable(SCHEME_DEFINITIONS);

/** Builds every scheme the options turn on, in `SCHEME_IDS` order. */
export function buildSchemes(config: ResolvedOptions, context: SchemeContext): BuiltSchemes {
  const built: Record<string, BuiltScheme> = {};
  for (const definition of SCHEME_DEFINITIONS) {
    const settings = (definition as AnyDefinition).settings(config);
    if (settings !== false) built[definition.id] = (definition as AnyDefinition).build(settings, context);
  }
  return built as BuiltSchemes;
}

/** How long each scheme that is on needs the per-actor "not before" kept (see `SchemeDefinition.revocationHorizon`). */
export function revocationHorizons(config: ResolvedOptions): number[] {
  return SCHEME_DEFINITIONS.map((definition) => {
    const { settings, revocationHorizon } = definition as AnyDefinition;
    const resolved = settings(config);
    return resolved === false || !revocationHorizon ? 0 : revocationHorizon(resolved);
  });
}

/** A definition with its settings type forgotten, for loops over all of them. */
type AnyDefinition = SchemeDefinition<SchemeId, unknown, BuiltScheme>;
