import type { KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

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
