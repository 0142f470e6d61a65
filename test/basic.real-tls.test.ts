import https from 'node:https';
import type { AddressInfo } from 'node:net';
import selfsigned from 'selfsigned';
import { ALICE_LOGIN, ALICE_PASSWORD, basicApp, basicHeader, passwordFixture } from './helpers/passwords';

/** One GET over real TLS to a server with a self-signed certificate. */
function getOverTls(port: number, ca: string, authorization: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: 'localhost', port, path: '/me', ca, headers: { Authorization: authorization } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Basic over a real TLS connection', () => {
  it('should authorize without any proxy settings, because the connection itself is encrypted', async () => {
    const { passwordCheck, alice } = await passwordFixture();
    const { app } = basicApp(passwordCheck);
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048 });
    const server = https.createServer({ key: pems.private, cert: pems.cert }, app);
    await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const ok = await getOverTls(port, pems.cert, basicHeader(ALICE_LOGIN, ALICE_PASSWORD));
      expect(ok).toEqual({ status: 200, body: { user: alice, secure: true } });
      const wrong = await getOverTls(port, pems.cert, basicHeader(ALICE_LOGIN, 'wrong'));
      expect(wrong).toMatchObject({ status: 401, body: { code: '401.2' } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
