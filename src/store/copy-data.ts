/**
 * A copy of a token record's `data` for a caller to own: what `structuredClone` gives for
 * the JSON values `data` holds (plain objects, arrays, strings, numbers, booleans, null),
 * made in plain JavaScript. `structuredClone` serialises and deserialises through V8's
 * value serialiser: on a rate-limited API key (whose record carries `data.apiKey`) it was
 * ~19 k of the ~150 k instructions the request cost over bare Express (bench/profiling.md,
 * issue 29), where this copy costs a few hundred.
 *
 * Anything else (a Date, a Map, an object of another realm or with another prototype, a
 * function, a cycle, nesting deeper than JSON usually goes) is left to `structuredClone`,
 * as before. The one difference: named properties added to an array are not copied
 * (JSON has none).
 */

/** Nesting past which the copy is left to `structuredClone` (which also handles cycles). */
const MAX_DEPTH = 32;

/** Thrown inside the copy to hand the whole value to `structuredClone`. */
const NOT_PLAIN: unique symbol = Symbol('gatehouse.notPlainData');

/** A deep copy of `value`, equal to `structuredClone(value)`. */
export function copyData<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  try {
    return copyPlain(value, 0) as T;
  } catch (error) {
    if (error !== NOT_PLAIN) throw error;
    return structuredClone(value);
  }
}

function copyPlain(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') {
    // Functions and symbols: structuredClone refuses them (DataCloneError); it decides.
    if (typeof value === 'function' || typeof value === 'symbol') throw NOT_PLAIN;
    return value;
  }
  if (depth > MAX_DEPTH) throw NOT_PLAIN;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw NOT_PLAIN;
    const length = value.length;
    const copy = new Array<unknown>(length);
    for (let i = 0; i < length; i += 1) {
      // A hole stays a hole, as structuredClone keeps it.
      if (i in value) copy[i] = copyPlain(value[i], depth + 1);
    }
    return copy;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) throw NOT_PLAIN;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = copyPlain((value as Record<string, unknown>)[key], depth + 1);
    // An own "__proto__" (JSON.parse makes one) must stay a property, not become the prototype.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: field, enumerable: true, writable: true, configurable: true });
    else copy[key] = field;
  }
  return copy;
}
