/** What a configuration error carries, as the tests read it. */
export type ThrownError = Error & { code?: string; option?: string };

/** What `build` threw, or `undefined` when it did not throw. */
export function thrownBy(build: () => unknown): ThrownError | undefined {
  try {
    build();
  } catch (error) {
    return error as ThrownError;
  }
  return undefined;
}
