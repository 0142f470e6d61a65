/**
 * The conformance kit's credential part (`'credentials'`: `findCredentials`, `findActor`)
 * against user stores written the way a host writes them: one over a Map, one over a
 * PostgreSQL users table of this test's own (the table from the README's "Writing your own
 * store"), and MemoryStore (test/store.conformance.memory.test.ts). Then each case is run
 * against a store with one flaw it names, and must fail there.
 */
import { AssertionError } from 'node:assert';
import { randomUUID } from 'node:crypto';
import express from 'express';
import type { Pool } from 'pg';
import request from 'supertest';
import { gatehouse, combineStores, MemoryStore, normalizeLogin, type Actor, type CredentialRecord, type CredentialStore } from '../src';
import { createConformanceContext, describeStoreConformance, storeConformanceCases, type ConformanceAddUser, type ConformanceStore } from '../src/store/conformance';
import { connectPostgres, runId } from './helpers/services';

interface HostUser {
  id: string;
  login: string;
  roles: string[];
  passwordHash: string | null;
}

/** What a host might get wrong; each flaw is one a credential case must catch. */
interface Flaws {
  storesLoginAsTyped?: boolean;
  matchesLoginPrefix?: boolean;
  findActorDropsRoles?: boolean;
  unknownLoginGivesEmptyRecord?: boolean;
  rehashesOnLookup?: boolean;
  sharesOneInFlightLookup?: boolean;
  hasPasswordForAnyone?: boolean;
}

/** A host's own users, kept in a Map, with the two lookup methods Gatehouse calls. */
class MapUserStore implements CredentialStore {
  private readonly usersByLogin = new Map<string, HostUser>();
  private readonly usersById = new Map<string, HostUser>();
  private inFlight: Promise<CredentialRecord | null> | undefined;

  constructor(private readonly flaws: Flaws = {}) {}

  addUser(login: string, passwordHash: string | null, roles: string[] = ['editor']): HostUser {
    const user = { id: randomUUID(), login: this.flaws.storesLoginAsTyped ? login : normalizeLogin(login), roles, passwordHash };
    this.usersByLogin.set(user.login, user);
    this.usersById.set(user.id, user);
    return user;
  }

  /** The optional `hasPassword` (unlinking an identity asks it). */
  async hasPassword(actorId: string): Promise<boolean> {
    if (this.flaws.hasPasswordForAnyone) return true;
    return typeof this.usersById.get(actorId)?.passwordHash === 'string';
  }

  async findCredentials(login: string): Promise<CredentialRecord | null> {
    if (this.flaws.sharesOneInFlightLookup && this.inFlight) return this.inFlight;
    const lookup = this.lookUp(login);
    if (this.flaws.sharesOneInFlightLookup) {
      this.inFlight = lookup;
      void lookup.finally(() => (this.inFlight = undefined));
    }
    return lookup;
  }

  private async lookUp(login: string): Promise<CredentialRecord | null> {
    await Promise.resolve();
    let user = this.usersByLogin.get(login);
    if (!user && this.flaws.matchesLoginPrefix) user = [...this.usersByLogin.values()].find((candidate) => candidate.login.startsWith(login.replace(/%$/, '')));
    if (!user) return this.flaws.unknownLoginGivesEmptyRecord ? ({} as CredentialRecord) : null;
    if (this.flaws.rehashesOnLookup && user.passwordHash) user.passwordHash = user.passwordHash.replace(/^\$2b\$\d\d\$/, '$2b$13$');
    return { actor: this.actorOf(user), passwordHash: user.passwordHash, passwordExpiresAt: null };
  }

  async findActor(id: string): Promise<Actor | null> {
    const user = this.usersById.get(id);
    if (!user) return null;
    return this.flaws.findActorDropsRoles ? { ...this.actorOf(user), roles: [] } : this.actorOf(user);
  }

  private actorOf(user: HostUser): Actor {
    return { id: user.id, kind: 'user', roles: [...user.roles], displayName: user.login };
  }
}

const addMapUser: ConformanceAddUser = async (store, { login, passwordHash }) => ({ id: (store as MapUserStore).addUser(login, passwordHash).id });

describeStoreConformance('a host user store over a Map', () => new MapUserStore(), { parts: ['credentials'], addUser: addMapUser });

// The README's users table, in a schema of this run's own, read as the README's example reads it.
const schema = `gatehouse_test_host_users_${runId()}`;
let pool: Pool | undefined;
beforeAll(async () => {
  pool = await connectPostgres(4);
  await pool.query(`CREATE SCHEMA "${schema}"`);
  await pool.query(`CREATE TABLE "${schema}".users (
    id                  text PRIMARY KEY,
    login               text NOT NULL UNIQUE,
    kind                text NOT NULL DEFAULT 'user',
    roles               text[] NOT NULL DEFAULT '{}',
    password_hash       text,
    password_expires_at timestamptz,
    display_name        text
  )`);
});
afterAll(async () => {
  if (!pool) return;
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

function connected(): Pool {
  if (!pool) throw new Error('PostgreSQL is not connected; see the beforeAll error above.');
  return pool;
}

interface UserRow {
  id: string;
  kind: string;
  roles: string[];
  password_hash: string | null;
  password_expires_at: Date | null;
  display_name: string | null;
}

const actorOf = (row: UserRow): Actor => ({ id: row.id, kind: row.kind, roles: row.roles, displayName: row.display_name ?? undefined });

const postgresUsers: CredentialStore = {
  async findCredentials(login) {
    const { rows } = await connected().query<UserRow>(`SELECT * FROM "${schema}".users WHERE login = $1`, [login]);
    if (rows.length === 0) return null;
    return { actor: actorOf(rows[0]), passwordHash: rows[0].password_hash, passwordExpiresAt: rows[0].password_expires_at };
  },
  async findActor(id) {
    const { rows } = await connected().query<UserRow>(`SELECT * FROM "${schema}".users WHERE id = $1`, [id]);
    return rows.length === 0 ? null : actorOf(rows[0]);
  },
};

describeStoreConformance('a host user store over PostgreSQL tables of its own', () => postgresUsers, {
  parts: ['credentials'],
  addUser: async (_store, { login, passwordHash }) => {
    const id = randomUUID();
    await connected().query(`INSERT INTO "${schema}".users (id, login, roles, password_hash, password_expires_at) VALUES ($1, $2, $3, $4, now() + interval '90 days')`, [
      id,
      normalizeLogin(login),
      ['editor', 'reader'],
      passwordHash,
    ]);
    return { id };
  },
});

describe('the PostgreSQL host store the kit passed', () => {
  it('logs a user in through gatehouse(), joined with MemoryStore for tokens, and resolves them on the next request', async () => {
    const auth = gatehouse({ store: combineStores({ credentials: postgresUsers, tokens: new MemoryStore() }), passwords: { cost: 10 } });
    const app = express();
    app.use('/v1', auth.routes());
    app.use('/v1', auth.authenticate());
    app.get('/v1/me', auth.require({ roles: ['admin'] }), (req, res) => res.json({ id: req.user?.id }));
    const id = randomUUID();
    await connected().query(`INSERT INTO "${schema}".users (id, login, roles, password_hash) VALUES ($1, $2, $3, $4)`, [
      id,
      normalizeLogin(`${id}@Example.org`),
      ['admin'],
      await auth.passwords.hash('correct horse battery'),
    ]);
    const login = await request(app).post('/v1/sessions').send({ login: ` ${id.toUpperCase()}@EXAMPLE.ORG`, password: 'correct horse battery' });
    expect(login.status).toBe(200);
    const me = await request(app).get('/v1/me').set('Authorization', `Bearer ${login.body.token}`);
    expect([me.status, me.body]).toEqual([200, { id }]);
  });
});

describe('each credential case fails against a store with the flaw it names', () => {
  const credentialCases = storeConformanceCases.filter((c) => c.parts.includes('credentials'));
  const caseNamed = (start: string) => {
    const found = credentialCases.find((c) => c.name.startsWith(start));
    if (!found) throw new Error(`no credential case starts with "${start}"`);
    return found;
  };
  const run = (start: string, flaws: Flaws) => caseNamed(start).run(new MapUserStore(flaws) as ConformanceStore, createConformanceContext({ addUser: addMapUser }));

  it('lists eight credential cases, none of them in the default parts', () => {
    expect(credentialCases).toHaveLength(8);
    expect(credentialCases.every((c) => c.parts.length === 1)).toBe(true);
  });

  it.each<[string, Flaws]>([
    ['a login is found by normalizeLogin', { storesLoginAsTyped: true }],
    ['findCredentials matches the whole login', { matchesLoginPrefix: true }],
    ['findActor(id) returns the actor a login resolved to', { findActorDropsRoles: true }],
    ['an unknown login or actor id resolves to null', { unknownLoginGivesEmptyRecord: true }],
    ['lookups change nothing', { rehashesOnLookup: true }],
    ['concurrent lookups of different users', { sharesOneInFlightLookup: true }],
    ['hasPassword (when the store has it)', { hasPasswordForAnyone: true }],
  ])('"%s…" fails with %j', async (start, flaws) => {
    await expect(run(start, flaws)).rejects.toBeInstanceOf(AssertionError);
    await expect(run(start, {})).resolves.toBeUndefined();
  });

  it('"findCredentials finds a user by login…" fails for a record without its actor or with another hash', async () => {
    const noActor = new MapUserStore();
    noActor.findCredentials = async () => ({ passwordHash: null }) as unknown as CredentialRecord;
    const context = createConformanceContext({ addUser: addMapUser });
    await expect(caseNamed('findCredentials finds a user by login').run(noActor as ConformanceStore, context)).rejects.toBeInstanceOf(AssertionError);
    await expect(run('findCredentials finds a user by login', { rehashesOnLookup: true })).rejects.toBeInstanceOf(AssertionError);
  });

  it("refuses the 'credentials' part without addUser", () => {
    expect(() => describeStoreConformance('x', () => new MapUserStore(), { parts: ['credentials'], describe: () => undefined, it: () => undefined })).toThrow(
      /'credentials' part needs addUser/,
    );
  });
});
