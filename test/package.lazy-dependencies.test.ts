/**
 * Loading the package loads only what an instance needs: jwks-rsa (with its copy of jose),
 * ua-parser-js, otpauth and openid-client wait until a feature that uses them is first used.
 * Each case runs in a fresh node process on the built package, as a host's app loads it, and
 * reads which of them are in node's module cache.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ensureBuilt, ROOT } from './helpers/build';

const OPTIONAL = ['jwks-rsa', 'jose', 'ua-parser-js', 'otpauth', 'openid-client'] as const;

/** Runs `body` after `require`-ing the package in a new process; answers what it printed as JSON, with the optional packages loaded by then. */
function inFreshProcess(body: string): { loaded: string[]; result: unknown } {
  const script = `
    const path = require('node:path');
    const dist = ${JSON.stringify(path.join(ROOT, 'dist'))};
    const gatehouseModule = require(path.join(dist, 'index.js'));
    (async () => {
      const result = await (async () => { ${body} })();
      const names = ${JSON.stringify(OPTIONAL)};
      const loaded = names.filter((name) => Object.keys(require.cache).some((file) => file.includes(path.sep + 'node_modules' + path.sep + name + path.sep)));
      process.stdout.write(JSON.stringify({ loaded, result: result ?? null }));
    })().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

beforeAll(() => ensureBuilt());

describe('optional dependencies are loaded on first use', () => {
  it('an instance with JWT (a secret), cookies, Basic, API keys and rate limits, mounted, loads none of them', () => {
    const { loaded } = inFreshProcess(`
      const express = require('express');
      const { gatehouse, MemoryStore } = gatehouseModule;
      const auth = gatehouse({
        store: new MemoryStore(),
        jwt: { secret: 'a-jwt-secret-that-is-at-least-32-bytes' },
        cookie: { secret: 'a-cookie-secret-of-at-least-32-characters' },
        apiKeys: { ['k'.repeat(40)]: { role: 'admin' } },
        rateLimits: { limits: [{ name: 'burst', limit: 10, window: '10s' }] },
      });
      const app = express();
      app.use('/v1', auth.routes());
      app.use('/v1', auth.authenticate());
      app.get('/v1/projects', auth.require(), (req, res) => res.json([]));
      auth.openapi();
    `);
    expect(loaded).toEqual([]);
  });

  it('jwks-rsa (and jose) are loaded when an external issuer is configured, not before', () => {
    const { loaded } = inFreshProcess(`
      const { gatehouse, MemoryStore } = gatehouseModule;
      gatehouse({
        store: new MemoryStore(),
        jwt: { issuers: [{ issuer: 'https://issuer.example', jwksUri: 'https://issuer.example/.well-known/jwks.json', algorithms: ['RS256'], actorFromClaims: (claims) => ({ id: claims.sub }) }] },
      });
    `);
    expect(loaded).toEqual(['jwks-rsa', 'jose']);
  });

  it('otpauth is loaded when a TOTP secret is first made, and works as before', () => {
    const { loaded, result } = inFreshProcess(`
      const totp = require(path.join(dist, 'second-factor', 'totp.js'));
      const secret = totp.newTotpSecret();
      const now = Date.now();
      return { secretLength: secret.length, matches: totp.matchTotpStep(secret, totp.totpCode(secret, now), now) !== null };
    `);
    expect(loaded).toEqual(['otpauth']);
    expect(result).toEqual({ secretLength: 32, matches: true });
  });

  it('ua-parser-js is loaded when a sign-in device is first described, and works as before', () => {
    const { loaded, result } = inFreshProcess(`
      const { describeDevice } = require(path.join(dist, 'tokens', 'sign-in-device.js'));
      return describeDevice('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36').description;
    `);
    expect(loaded).toEqual(['ua-parser-js']);
    expect(result).toBe('Chrome 120 on Linux');
  });
});
