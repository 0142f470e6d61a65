import { MemoryStore } from '../src/store/memory';
import { describeStoreConformance, storeConformanceCases } from '../src/store/conformance';

describeStoreConformance('MemoryStore', () => new MemoryStore({ passwordCost: 10 }), {
  parts: ['tokens', 'revocations', 'attempts', 'credentials', 'passwordUpdates', 'secondFactors', 'identities', 'limits', 'providerSessions'],
  addUser: (store, user) => (store as MemoryStore).addUser(user),
});

describe('The conformance case list', () => {
  it('lists the optional updatePasswordHash cases under their own part, off by default', () => {
    const names = storeConformanceCases.filter((c) => c.parts.includes('passwordUpdates')).map((c) => c.name);
    expect(names).toHaveLength(3);
    expect(names.every((name) => name.startsWith('updatePasswordHash'))).toBe(true);
  });

  it("refuses the 'passwordUpdates' part without addUser", () => {
    expect(() => describeStoreConformance('x', () => new MemoryStore(), { parts: ['passwordUpdates'], describe: () => undefined, it: () => undefined })).toThrow(
      /'passwordUpdates' part needs addUser/,
    );
  });
});
