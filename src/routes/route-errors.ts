/**
 * What an error inside the auth endpoints becomes: our own GatehouseErrors as they are,
 * an oversized body as 413.1, an unsupported charset or encoding as 415.1, the client's
 * other mistakes that Express or body-parser report (bad JSON, a badly escaped path
 * parameter) as 400.1, and anything else as 503.1 — fail closed, never a stack trace.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { GatehouseError, isGatehouseError } from '../errors';
import { routeErrorEvent, type Emit } from '../events';
import { BODY_LIMIT_BYTES, unsupportedBody } from './login-body';

function clientErrorStatus(error: unknown): number | null {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : null;
}

/** The problem to answer for an error raised while serving an auth endpoint. */
function problemForRouteError(error: unknown): GatehouseError {
  if (isGatehouseError(error)) return error;
  const status = clientErrorStatus(error);
  if (status === null) return new GatehouseError('503.1', { cause: error });
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.too.large') return new GatehouseError('413.1', { extensions: { limit: BODY_LIMIT_BYTES }, cause: error });
  if (type === 'charset.unsupported') return unsupportedBody('The request body must be UTF-8; that charset is not supported.');
  if (type === 'encoding.unsupported') return unsupportedBody('That Content-Encoding is not supported; send gzip, deflate, br or none.');
  const detail = typeof type === 'string' ? 'The request body could not be read as JSON or a form.' : 'The request could not be read.';
  return new GatehouseError('400.1', { detail, cause: error });
}

/** The routers' last error handler; a 503.1 is reported as `store.error`, with its cause. */
export function routeErrorsAsProblems(send: (req: Request, res: Response, error: GatehouseError) => void, emit: Emit = null): ErrorRequestHandler {
  return (error, req, res, next) => {
    // The client has gone (e.g. its password check was dropped from the queue): nobody to answer.
    if (res.destroyed && !res.writableEnded) return;
    if (res.headersSent) return next(error);
    const problem = problemForRouteError(error);
    const event = emit && routeErrorEvent(req, problem);
    if (event) emit(event);
    send(req, res, problem);
  };
}
