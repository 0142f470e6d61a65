/** The `apiKey` scheme: configured keys (ApostropheCMS shape) and store-issued ones (README, "API keys"). */
import type { SchemeDefinition } from '../definition';
import { API_KEY_DETECTION } from './detection';
import { resolveApiKeyOptions, type ApiKeyMap, type ResolvedApiKey } from './options';
import { ApiKeyStrategy } from './strategy';

type Settings = Map<string, ResolvedApiKey>;

export const API_KEY_SCHEME: SchemeDefinition<'apiKey', Settings> = {
  id: 'apiKey',
  detection: API_KEY_DETECTION,
  // An apiKey scheme sends its value as given: the `ApiKey ` prefix is part of the value.
  securitySchemes: () => ({
    apiKey: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: 'API key as `Authorization: ApiKey <key>`. The header value must start with the word `ApiKey` and a space: enter `ApiKey <key>` where a tool asks for the value.',
    },
    apiKeyQuery: {
      type: 'apiKey',
      in: 'query',
      name: 'apikey',
      description: 'The same API key as `?apikey=<key>` (`?apiKey=` works too), for clients that cannot set headers. Prefer the header: URLs end up in histories and logs. Gatehouse removes it from the URL before the app sees it.',
    },
  }),
  option: 'apiKeys',
  resolve: (input) => resolveApiKeyOptions(input as ApiKeyMap | false | undefined),
  storeFeatures: (keys) => (keys ? ['apiKeys'] : []),
  build: (keys, { tokens, store, limiter }) => ({
    strategy: new ApiKeyStrategy({ keys, tokens, store, ...(limiter ? { rateLimiter: limiter } : {}) }),
    // A store-issued key ends like any stored token; a configured key cannot be ended (403.1).
    end: async (_req, _res, reference) => {
      if (reference.type !== 'token') return false;
      await tokens.revokeByHash(reference.hash);
      return true;
    },
  }),
};
