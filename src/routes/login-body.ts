/**
 * Reading the body of the login endpoints (`POST /sessions`, `POST /jwt/authenticate`).
 * A missing or non-string field is 400.1 naming the field; nothing of the body is echoed.
 */
import express, { type RequestHandler } from 'express';
import { GatehouseError } from '../errors';
import { hasControlCharacter } from '../login';

/** What a login body holds once read. */
export interface LoginBody {
  login: string;
  password: string;
}

const LOGIN_FIELDS = ['login', 'email', 'username'] as const;
/** Generous for any real password, small enough that hashing it cannot be used to burn CPU. */
const MAX_PASSWORD_LENGTH = 1024;
const MAX_LOGIN_LENGTH = 320;

/** A 400.1 naming the field. */
export function badField(field: string, problem: string): GatehouseError {
  return new GatehouseError('400.1', { detail: `${field} ${problem}.`, extensions: { field } });
}

/** The request body as an object, or 400.1. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new GatehouseError('400.1', { detail: 'The request body must be a JSON object or a form.' });
  }
  return body as Record<string, unknown>;
}

/** A required non-empty string field of at most `maxLength` characters, or 400.1 naming it. */
export function requiredString(body: Record<string, unknown>, field: string, maxLength = MAX_PASSWORD_LENGTH): string {
  const value = body[field];
  if (value === undefined || value === null || value === '') throw badField(field, 'is required');
  if (typeof value !== 'string') throw badField(field, 'must be a string');
  if (value.length > maxLength) throw badField(field, `must be at most ${maxLength} characters`);
  return value;
}

/**
 * Reads `{ login | email | username, password }`. A control character in either is 400.1
 * naming the field, before any store call: it says something about the input alone, never
 * about an account.
 */
export function readLoginBody(rawBody: unknown): LoginBody {
  const body = bodyObject(rawBody);
  const field = LOGIN_FIELDS.find((name) => body[name] !== undefined) ?? 'login';
  const login = requiredString(body, field, MAX_LOGIN_LENGTH);
  if (login.trim() === '') throw badField(field, 'is required');
  if (hasControlCharacter(login)) throw badField(field, 'must not contain control characters');
  const password = requiredString(body, 'password');
  if (hasControlCharacter(password)) throw badField('password', 'must not contain control characters');
  return { login, password };
}

/** Largest body the auth endpoints read (16 KB); a larger one is refused with 413.1. */
const BODY_LIMIT = '16kb';
/** {@link BODY_LIMIT} in bytes, as the 413.1 problem reports it. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** The body types the auth endpoints read; anything else is 415.1. */
const ACCEPTED_BODY_TYPES = ['application/json', 'application/x-www-form-urlencoded'] as const;
const ACCEPTED = ACCEPTED_BODY_TYPES.join(', ');

/** A 415.1 naming the accepted types, in the body and in `Accept-Post`. */
export function unsupportedBody(detail?: string): GatehouseError {
  return new GatehouseError('415.1', { ...(detail ? { detail } : {}), extensions: { accepted: ACCEPTED }, headers: { 'Accept-Post': ACCEPTED } });
}

/**
 * Refuses a body that is neither JSON nor a form with 415.1 before any parser runs, so a
 * client that forgot its Content-Type hears that, not "login is required". A request
 * without a body passes (its missing fields are 400.1).
 */
const requireAcceptedType: RequestHandler = (req, _res, next) => {
  const empty = req.headers['content-length'] === '0' && req.headers['transfer-encoding'] === undefined;
  // `req.is` is null without a body, false for a body of another type or of none.
  if (empty || req.is([...ACCEPTED_BODY_TYPES]) !== false) return next();
  next(
    req.headers['content-type']
      ? unsupportedBody()
      : unsupportedBody(`The request body has no Content-Type; send it as ${ACCEPTED_BODY_TYPES.join(' or ')}.`),
  );
};

/** The raw bytes of urlencoded bodies, kept until {@link jsonSentAsForm} has looked at them. */
const rawForms = new WeakMap<object, Buffer>();

/**
 * Reads a JSON object sent under a form Content-Type as JSON: ApostropheCMS's documented
 * login client does this, and read as a form its `+` and `%XX` would be decoded.
 */
const jsonSentAsForm: RequestHandler = (req, _res, next) => {
  const raw = rawForms.get(req);
  if (raw === undefined) return next();
  rawForms.delete(req);
  const text = raw.toString('utf8').trim();
  if (!text.startsWith('{')) return next();
  try {
    req.body = JSON.parse(text);
  } catch {
    return next(new GatehouseError('400.1', { detail: 'The request body could not be read as JSON or a form.' }));
  }
  next();
};

/** The parsers for the auth endpoints (the host's own parsers are not needed). */
export const parseAuthBody: RequestHandler[] = [
  requireAcceptedType,
  express.json({ limit: BODY_LIMIT }),
  express.urlencoded({ extended: false, limit: BODY_LIMIT, verify: (req, _res, buffer) => void rawForms.set(req, buffer) }),
  jsonSentAsForm,
];
