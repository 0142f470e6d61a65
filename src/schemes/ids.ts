/**
 * The scheme ids and the precedence groups, declared once (ARCHITECTURE.md, "How to add a
 * scheme"). Every other list of schemes — the registry, detection's default order,
 * `auth.require({ schemes })`, the README's scheme table — derives from these, and
 * `test/schemes.registry.test.ts` fails when one is left out.
 */

/** Every scheme, in the order the README lists them. */
export const SCHEME_IDS = ['appUserUrl', 'sessionToken', 'jwt', 'apiKey', 'basic', 'cookie'] as const;

/** A scheme id (README, "Schemes"). */
export type SchemeId = (typeof SCHEME_IDS)[number];

/** The groups `options.precedence` orders, in the default order; `bearer` covers both `jwt` and `sessionToken`. */
export const SCHEME_GROUPS = ['appUserUrl', 'bearer', 'apiKey', 'basic', 'cookie'] as const;

/** A precedence group. */
export type SchemeGroup = (typeof SCHEME_GROUPS)[number];

/** The precedence group of each scheme: a scheme left out here does not compile. */
export const GROUP_OF_SCHEME: { readonly [Id in SchemeId]: SchemeGroup } = {
  appUserUrl: 'appUserUrl',
  sessionToken: 'bearer',
  jwt: 'bearer',
  apiKey: 'apiKey',
  basic: 'basic',
  cookie: 'cookie',
};

/** Every group, in the default order. */
export const DEFAULT_PRECEDENCE: readonly SchemeGroup[] = Object.freeze([...SCHEME_GROUPS]);

/** Each group's scheme when it has exactly one, `null` for a group of several (`bearer`). */
const ONLY_SCHEME_OF = new Map<SchemeGroup, SchemeId | null>(
  SCHEME_GROUPS.map((group) => {
    const members = SCHEME_IDS.filter((id) => GROUP_OF_SCHEME[id] === group);
    return [group, members.length === 1 ? members[0] : null];
  }),
);

/** The one scheme of a group, or `null` for a group of several (`bearer`): whom a malformed credential of the group is reported against. */
export function onlySchemeOf(group: SchemeGroup): SchemeId | null {
  return ONLY_SCHEME_OF.get(group) ?? null;
}
