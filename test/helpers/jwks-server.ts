import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExternalIssuer } from '../../src';
import { forge } from './jwt';

/** A JWKS endpoint on 127.0.0.1 whose key set the test changes (key rotation). */
export class JwksServer {
  keys: Array<{ kid: string; key: KeyObject }> = [];
  requests = 0;
  private server = http.createServer((_req, res) => {
    this.requests += 1;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ keys: this.keys.map(({ kid, key }) => ({ ...key.export({ format: 'jwk' }), kid, use: 'sig' })) }));
  });
  url = '';
  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }
  stop() {
    return new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * An external issuer for the tests of one `describe`: a JWKS server with one P-256 key (`ec-1`),
 * started in `beforeAll` and stopped in `afterAll`. `entry()` is its `jwt.issuers` entry (ES256;
 * a token's `sub` is the actor, a user without roles) and `sign(claims, header)` an ES256 token
 * of it, `header` added to its JWT header.
 */
export function useExternalIssuer(issuer: string) {
  const jwks = new JwksServer();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  beforeAll(async () => {
    await jwks.start();
    jwks.keys = [{ kid: 'ec-1', key: publicKey }];
  });
  afterAll(() => jwks.stop());
  return {
    jwks,
    entry: (): ExternalIssuer => ({ issuer, jwksUri: jwks.url, algorithms: ['ES256'], actorFromClaims: (claims) => ({ id: String(claims.sub), kind: 'user', roles: [] }) }),
    sign: (claims: Record<string, unknown>, header: Record<string, unknown> = {}) => forge(claims, privateKey, 'ES256', { kid: 'ec-1', ...header }),
  };
}
