/** `apiKey`: `Authorization: ApiKey <key>`, or one `apikey` / `apiKey` query parameter (taken off the URL). */
import type { SchemeDetection } from '../detection';

/** API keys: printable ASCII without spaces, a sane length. */
const API_KEY_SHAPE = /^[\x21-\x7e]{1,512}$/;

export const API_KEY_DETECTION: SchemeDetection = {
  authorization: { keyword: 'apikey', accepts: (value) => API_KEY_SHAPE.test(value) },
  read({ urlCredentials: { queryApiKeys } }) {
    if (queryApiKeys.length === 0) return null;
    // Two query keys are ambiguous; refuse rather than guess which one the client meant.
    return queryApiKeys.length === 1 && API_KEY_SHAPE.test(queryApiKeys[0]) ? queryApiKeys[0] : false;
  },
};
