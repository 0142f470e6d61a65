/** `sessionToken`: `Authorization: Bearer <opaque token>` (RFC 6750 §2.1), any b64token that is not a JWS. */
import { JWS_SHAPE, TOKEN68, type SchemeDetection } from '../detection';

export const SESSION_TOKEN_DETECTION: SchemeDetection = {
  authorization: { keyword: 'bearer', accepts: (value) => TOKEN68.test(value) && !JWS_SHAPE.test(value) },
};
