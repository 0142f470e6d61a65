/** `jwt`: `Authorization: Bearer <JWS>` in compact form (RFC 7515 §7.1). */
import { JWS_SHAPE, type SchemeDetection } from '../detection';

export const JWT_DETECTION: SchemeDetection = {
  // Every JWS-shaped value is also an RFC 6750 b64token.
  // Ranked before sessionToken, whose b64tokens include every JWS.
  authorization: { keyword: 'bearer', accepts: (value) => JWS_SHAPE.test(value), rank: -1 },
};
