/** `basic`: `Authorization: Basic <credentials>` (RFC 7617); the strategy decodes and checks the value. */
import type { SchemeDetection } from '../detection';

export const BASIC_DETECTION: SchemeDetection = {
  authorization: { keyword: 'basic', accepts: () => true },
};
