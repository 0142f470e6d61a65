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
import type { ResolvedOptions } from '../resolved-options';
import type { StoreFeature } from '../store/methods';
import type { BuiltScheme, SchemeContext, SchemeDefinition, SharedSettings } from './definition';
import type { SchemeOptions, SchemeSettings, SettingsOfScheme } from './scheme-options';
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
} as const satisfies { readonly [Id in SchemeId]: SchemeDefinition<Id, SettingsOfScheme[Id], BuiltScheme> };

/** The definitions in `SCHEME_IDS` order (the README's). */
export const SCHEME_DEFINITIONS: ReadonlyArray<(typeof SCHEMES)[SchemeId]> = SCHEME_IDS.map((id) => SCHEMES[id]);

/**
 * Resolves every scheme's option in registry order, and collects the store features the
 * schemes need (`STORE_NEEDS`), so a missing method is named at start-up.
 */
export function resolveSchemes(options: SchemeOptions, shared: SharedSettings): { schemes: SchemeSettings; storeFeatures: StoreFeature[] } {
  const schemes: Record<string, unknown> = {};
  const storeFeatures: StoreFeature[] = [];
  for (const definition of SCHEME_DEFINITIONS) {
    const { resolve, storeFeatures: needs } = definition as AnyDefinition;
    const input = options[definition.option];
    const settings = resolve(input, shared);
    schemes[definition.id] = settings;
    storeFeatures.push(...needs(settings, input, shared));
  }
  return { schemes: schemes as SchemeSettings, storeFeatures };
}

/** What building a scheme gives, by id. */
export type BuiltSchemes = { [Id in SchemeId]?: ReturnType<(typeof SCHEMES)[Id]['build']> };

/** The registered schemes' detection, arranged once for every instance. */
export const DETECTION_TABLE: DetectionTable = detectionTable(SCHEME_DEFINITIONS);

/** Builds every scheme the options turn on, in `SCHEME_IDS` order. */
export function buildSchemes(config: Pick<ResolvedOptions, 'schemes'>, context: SchemeContext): BuiltSchemes {
  const built: Record<string, BuiltScheme> = {};
  for (const definition of SCHEME_DEFINITIONS) {
    const settings = config.schemes[definition.id];
    if (settings !== false) built[definition.id] = (definition as AnyDefinition).build(settings, context);
  }
  return built as BuiltSchemes;
}

/** How long each scheme that is on needs the per-actor "not before" kept (see `SchemeDefinition.revocationHorizon`). */
export function revocationHorizons(config: Pick<ResolvedOptions, 'schemes'>): number[] {
  return SCHEME_DEFINITIONS.map((definition) => {
    const { revocationHorizon } = definition as AnyDefinition;
    const resolved = config.schemes[definition.id];
    return resolved === false || !revocationHorizon ? 0 : revocationHorizon(resolved);
  });
}

/** A definition with its settings type forgotten, for loops over all of them. */
type AnyDefinition = SchemeDefinition<SchemeId, unknown, BuiltScheme>;
