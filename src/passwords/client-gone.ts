/**
 * A signal that aborts when the client goes away before its answer is written, so a
 * password check still waiting in the bcrypt queue is dropped instead of run for nobody
 * (a connect-and-drop flood would otherwise cost full bcrypt price per connection).
 */
import type { ServerResponse } from 'node:http';

/** The reason a dropped check rejects with; nobody is left to receive an answer. */
function clientGoneReason(): DOMException {
  return new DOMException('The client closed the connection before its password was checked.', 'AbortError');
}

/**
 * Aborts when `res` closes before it has been ended (the client disconnected). `undefined`
 * for no response (a strategy used outside Express), so checks then run as before.
 *
 * @example
 * ```ts
 * await passwordCheck.check({ login, password, clientIp: req.ip, signal: clientGoneSignal(res) });
 * ```
 */
export function clientGoneSignal(res: ServerResponse | undefined): AbortSignal | undefined {
  if (!res || typeof res.once !== 'function') return undefined;
  const controller = new AbortController();
  // 'close' also follows a normal answer; only a close before the end means the client left.
  if (res.destroyed && !res.writableEnded) controller.abort(clientGoneReason());
  else res.once('close', () => {
    if (!res.writableEnded) controller.abort(clientGoneReason());
  });
  return controller.signal;
}
