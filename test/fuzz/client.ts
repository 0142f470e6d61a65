/**
 * Sends one fuzz request: through Node's client on keep-alive connections when it can
 * carry the request unchanged, otherwise byte for byte over a fresh plain or TLS socket.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { FuzzRequest } from './requests';

/** What came back: a status (null when the server answered nothing) and the body as latin1. */
export interface FuzzResponse {
  status: number | null;
  body: string;
  transport: 'client' | 'raw';
  /** A client-side error (a reset connection, a timeout); the server's health is checked separately. */
  error: string | null;
}

/** Node's client refuses targets with characters outside U+0021–U+00FF. */
const CLIENT_PATH = /^[\u0021-\u00ff]+$/;

function clientCanSend(request: FuzzRequest): boolean {
  if (request.raw || !CLIENT_PATH.test(request.target)) return false;
  for (const [name, value] of request.headers) {
    try {
      http.validateHeaderName(name);
      http.validateHeaderValue(name, value);
    } catch {
      return false;
    }
  }
  return true;
}

export class FuzzClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  /** One TLS context for every raw TLS socket: building one per connection costs more than the request. */
  private readonly secureContext = tls.createSecureContext();

  constructor(
    private readonly ports: { http: number; https: number },
    concurrency: number,
    private readonly timeoutMs = 15_000,
  ) {
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: concurrency, rejectUnauthorized: false });
  }

  send(request: FuzzRequest): Promise<FuzzResponse> {
    return clientCanSend(request) ? this.viaClient(request) : this.viaSocket(request);
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private viaClient(request: FuzzRequest): Promise<FuzzResponse> {
    const port = request.secure ? this.ports.https : this.ports.http;
    // Given headers as a list (to repeat names), Node's client adds no Host of its own.
    const rawHeaders: string[] = ['Host', `127.0.0.1:${port}`];
    for (const [name, value] of request.headers) rawHeaders.push(name, value);
    if (request.body) rawHeaders.push('Content-Length', String(request.body.length));
    const client = request.secure ? https : http;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (response: FuzzResponse) => {
        if (!settled) {
          settled = true;
          resolve(response);
        }
      };
      const req = client.request(
        {
          host: '127.0.0.1',
          port,
          method: request.method,
          path: request.target,
          headers: rawHeaders as unknown as http.OutgoingHttpHeaders,
          agent: request.secure ? this.httpsAgent : this.httpAgent,
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => finish({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('latin1'), transport: 'client', error: null }));
          res.on('error', (error) => finish({ status: res.statusCode ?? null, body: Buffer.concat(chunks).toString('latin1'), transport: 'client', error: error.message }));
        },
      );
      req.on('timeout', () => {
        req.destroy(new Error('timeout'));
      });
      req.on('error', (error) => finish({ status: null, body: '', transport: 'client', error: (error as NodeJS.ErrnoException).code ?? error.message }));
      req.end(request.body ?? undefined);
    });
  }

  private viaSocket(request: FuzzRequest): Promise<FuzzResponse> {
    const end = request.lineEnding;
    const lines = [`${request.method} ${request.target} HTTP/1.1`, 'Host: 127.0.0.1'];
    for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
    if (request.oddLine !== null) lines.push(request.oddLine);
    lines.push('Connection: close');
    if (request.body) lines.push(`Content-Length: ${request.body.length}`);
    const bytes = Buffer.concat([Buffer.from(lines.join(end) + end + end, 'latin1'), request.body ?? Buffer.alloc(0)]);
    const port = request.secure ? this.ports.https : this.ports.http;
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const socket = request.secure ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, secureContext: this.secureContext }) : net.connect({ host: '127.0.0.1', port });
      const finish = (error: string | null) => {
        if (settled) return;
        settled = true;
        socket.destroy();
        const text = Buffer.concat(chunks).toString('latin1');
        const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
        const headEnd = text.indexOf('\r\n\r\n');
        resolve({ status: match ? Number(match[1]) : null, body: headEnd === -1 ? '' : text.slice(headEnd + 4), transport: 'raw', error });
      };
      socket.setTimeout(this.timeoutMs, () => finish('timeout'));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => finish(null));
      socket.on('close', () => finish(null));
      socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
      socket.write(bytes);
    });
  }
}
