/**
 * Reading the body of the login endpoints (`POST /sessions`, `POST /jwt/authenticate`).
 * A missing or non-string field is 400.1 naming the field; nothing of the body is echoed.
 */
import express, { type RequestHandler } from 'express';
import { GatehouseError } from '../errors';

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

/** Reads `{ login | email | username, password }`. */
export function readLoginBody(rawBody: unknown): LoginBody {
  const body = bodyObject(rawBody);
  const field = LOGIN_FIELDS.find((name) => body[name] !== undefined) ?? 'login';
  const login = requiredString(body, field, MAX_LOGIN_LENGTH);
  if (login.trim() === '') throw badField(field, 'is required');
  return { login, password: requiredString(body, 'password') };
}

/** Largest body the auth endpoints read. */
export const BODY_LIMIT = '16kb';

/** JSON and urlencoded parsers for the auth endpoints (the host's own parsers are not needed). */
export const parseAuthBody: RequestHandler[] = [
  express.json({ limit: BODY_LIMIT }),
  express.urlencoded({ extended: false, limit: BODY_LIMIT }),
];
