/** The `basic` scheme: HTTPS-only Basic (RFC 7617) through the shared password check (README, "Basic (HTTPS only)"). */
import { fail } from '../../config-error';
import { reportingFailures } from '../../events';
import type { SchemeDefinition } from '../definition';
import { BASIC_DETECTION } from './detection';
import { resolveBasicOptions, type BasicOptions, type ResolvedBasicOptions } from './options';
import { HttpsBasicStrategy } from './strategy';

type Settings = ResolvedBasicOptions;

export const BASIC_SCHEME: SchemeDefinition<'basic', Settings> = {
  id: 'basic',
  detection: BASIC_DETECTION,
  securitySchemes: () => ({
    basic: {
      type: 'http',
      scheme: 'basic',
      description: 'Login and password, accepted over HTTPS only (plain HTTP answers 401 with code 401.3 before the password is read).',
    },
  }),
  option: 'basic',
  // Basic is on only when the store can look logins up.
  resolve: (input, { realm, hasCredentials }) => resolveBasicOptions(input as BasicOptions | false | undefined, { realm, hasCredentials }).basic,
  // Asked for by name, Basic needs findCredentials(): named at start-up rather than silently off.
  storeFeatures: (_settings, input, { hasCredentials }) => (input !== false && (input !== undefined || hasCredentials) ? ['basic'] : []),
  build(settings, context) {
    const { passwordCheck, emit } = context;
    if (!passwordCheck) fail('store', 'basic needs a store with findCredentials().', { code: 'GATEHOUSE_STORE_METHODS_MISSING' });
    const strategy = new HttpsBasicStrategy({ passwordCheck: reportingFailures(passwordCheck, emit, 'basic'), challenge: settings.challenge, realm: settings.realm, now: context.now });
    return {
      strategy,
      // The realm is Basic's own (`basic.realm`), not the top-level one.
      challenge: { scheme: 'basic', sentByDefault: strategy.challenge, value: () => strategy.challengeHeader },
      // Basic sends the password on every request: there is no session to end (403.1).
    };
  },
};
