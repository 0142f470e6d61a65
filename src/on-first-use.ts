/**
 * A value made the first time it is asked for, then kept. This is how the optional packages
 * (jwks-rsa, otpauth, ua-parser-js) are loaded only by an instance that uses them: a larger
 * heap makes every garbage collection of the host dearer (bench/profiling.md, round 14).
 */
export function onFirstUse<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
