import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

/** One parsed HTTP/1.1 response. */
export interface RawResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `head` (request line and headers, without the blank line) and `body` as written,
 * over a plain socket: Node's client and supertest normalise request targets (dot
 * segments, absolute forms) and refuse duplicate or odd headers, which these tests need.
 */
export async function rawRequest(port: number, head: string, body = ''): Promise<RawResponse> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', resolve);
    socket.on('error', reject);
    const length = Buffer.byteLength(body);
    socket.write(`${head}\r\nConnection: close\r\n${length > 0 ? `Content-Length: ${length}\r\n` : ''}\r\n${body}`);
  });
  const text = Buffer.concat(chunks).toString('utf8');
  const headEnd = text.indexOf('\r\n\r\n');
  const [statusLine, ...headerLines] = text.slice(0, headEnd).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(headEnd + 4) };
}

/** Listens on 127.0.0.1 on a free port; `close()` ends it. */
export async function listen(app: RequestListener): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A morgan-like access log: one `METHOD originalUrl status` line per response, written at response time. */
export function accessLog(lines: string[]) {
  return (req: { method?: string; originalUrl?: string; url?: string }, res: http.ServerResponse, next: () => void) => {
    res.on('finish', () => lines.push(`${req.method} ${req.originalUrl ?? req.url} ${res.statusCode}`));
    next();
  };
}
