/** The `appUserUrl` scheme: app-user tokens in `/key/{token}/…` URLs (README, "Credentials in URLs"). */
import type { OpenApiObject } from '../../openapi-facts';
import { fail } from '../../config-error';
import type { SchemeDefinition } from '../definition';
import { APP_USER_URL_DETECTION } from './detection';
import { AppUserUrlStrategy } from './strategy';

export const APP_USER_URL_SCHEME: SchemeDefinition<'appUserUrl', true> = {
  id: 'appUserUrl',
  detection: APP_USER_URL_DETECTION,
  // OpenAPI has no location for a key inside the path, so the URL form is told in prose; the
  // header form is real, and exists only while opaque bearer tokens are read.
  securitySchemes: ({ facts, mountPath }): Record<string, OpenApiObject> =>
    facts.schemes.has('sessionToken')
      ? {
          appUserUrl: {
            type: 'http',
            scheme: 'bearer',
            description:
              'App-user key (issued by an administrator, for field devices) in `Authorization: Bearer`. Clients that cannot set headers put it in the URL instead: ' +
              `prefix the path with \`/key/{key}\` below the API's mount point (e.g. \`${mountPath}/key/{key}/forms\`). Gatehouse removes it from the URL and logs; ` +
              'responses then carry `Cache-Control: no-store` and `Referrer-Policy: no-referrer`.',
          },
        }
      : {},
  option: 'appUserUrl',
  resolve(input) {
    if (input !== undefined && typeof input !== 'boolean') fail('appUserUrl', 'appUserUrl must be true or false (default true).');
    return input === false ? false : true;
  },
  storeFeatures: (on) => (on ? ['appUserUrl'] : []),
  // App users never log out through the API: logout answers 403.1 (no `end`).
  build: (_settings, { tokens }) => ({ strategy: new AppUserUrlStrategy({ tokens }) }),
};
