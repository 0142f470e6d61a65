/** `appUserUrl`: the `/key/{token}` prefix, already taken off the URL (`url-credentials.ts`). */
import type { SchemeDetection } from '../detection';

export const APP_USER_URL_DETECTION: SchemeDetection = {
  // '' is a /key/ segment that was empty or badly escaped: presented, and malformed.
  read: ({ urlCredentials: { urlKey } }) => (urlKey === null ? null : urlKey === '' ? false : urlKey),
};
