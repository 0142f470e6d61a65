/** `sessionToken`: `Authorization: Bearer <opaque token>` (RFC 6750 §2.1): any b64token `jwt` (ranked first) does not take. */
import { TOKEN68, type SchemeDetection } from '../detection';

export const SESSION_TOKEN_DETECTION: SchemeDetection = {
  authorization: { keyword: 'bearer', accepts: (value) => TOKEN68.test(value) },
};
