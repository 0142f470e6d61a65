/** The `sessionToken` scheme: opaque bearer tokens from a login or an administrator (README, "Opaque tokens"). */
import { bearerChallengeValue } from '../outcome';
import type { SchemeDefinition } from '../definition';
import { SESSION_TOKEN_DETECTION } from './detection';
import { resolveSessionTokenOptions, type ResolvedSessionTokenOptions, type SessionTokenOptions } from './options';
import { SessionTokenStrategy } from './strategy';

type Settings = ResolvedSessionTokenOptions;

export const SESSION_TOKEN_SCHEME: SchemeDefinition<'sessionToken', Settings> = {
  id: 'sessionToken',
  detection: SESSION_TOKEN_DETECTION,
  securitySchemes: ({ paths, mountPath }) => ({
    sessionToken: {
      type: 'http',
      scheme: 'bearer',
      description: `Opaque session token in \`Authorization: Bearer\`, from \`POST ${mountPath}${paths.login}\`; ended by \`${paths.logoutMethod} ${mountPath}${paths.logout}\`.`,
    },
  }),
  option: 'sessionToken',
  resolve: (input) => resolveSessionTokenOptions(input as SessionTokenOptions | boolean | undefined),
  storeFeatures: (settings) => (settings ? ['sessionToken'] : []),
  build: (settings, { tokens }) => ({
    strategy: new SessionTokenStrategy({ tokens, kinds: settings.kinds }),
    challenge: { scheme: 'bearer', sentByDefault: true, value: bearerChallengeValue },
    end: async (_req, _res, reference) => {
      if (reference.type !== 'token') return false;
      await tokens.revokeByHash(reference.hash);
      return true;
    },
  }),
};
