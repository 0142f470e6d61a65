/** Pieces the endpoints' OpenAPI operations are written with (`auth.openapi()`). */
import { PROBLEMS, type ProblemCode } from '../errors';
import type { OpenApiObject } from '../openapi-facts';

const PROBLEM_REF = { $ref: '#/components/schemas/GatehouseProblem' };
const JSON_AND_FORM = ['application/json', 'application/x-www-form-urlencoded'];

/** The tag every Gatehouse operation carries. */
export const TAGS = ['Authentication'];

/** What a login can be refused with. */
export const LOGIN_PROBLEMS: ProblemCode[] = ['400.1', '401.2', '403.2', '403.3', '503.1', '503.2'];

/** Problem responses, one per status, listing the codes. */
export function problems(codes: ProblemCode[]): Record<string, OpenApiObject> {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) byStatus.set(PROBLEMS[code].status, [...(byStatus.get(PROBLEMS[code].status) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      { description: list.map((code) => `${code}: ${PROBLEMS[code].detail}`).join(' '), content: { 'application/problem+json': { schema: PROBLEM_REF } } },
    ]),
  );
}

function jsonBody(schema: OpenApiObject, mediaTypes = ['application/json'], required = true): OpenApiObject {
  return { required, content: Object.fromEntries(mediaTypes.map((type) => [type, { schema }])) };
}

/** A request body of `schema`, as JSON or a form; `required: false` for one that may be left out. */
export function jsonOrFormBody(schema: OpenApiObject, required = true): OpenApiObject {
  return jsonBody(schema, JSON_AND_FORM, required);
}

/** A 200 with a JSON body, never cached. */
export function ok(description: string, schema: OpenApiObject): OpenApiObject {
  return { description, headers: { 'Cache-Control': { schema: { type: 'string', const: 'no-store' } } }, content: { 'application/json': { schema } } };
}

/** An operation that takes no credential, only its body (JSON or form). */
export function credentialFreeOperation(operationId: string, summary: string, body: OpenApiObject, responses: OpenApiObject, description?: string): OpenApiObject {
  return { operationId, tags: TAGS, summary, ...(description ? { description } : {}), security: [], requestBody: jsonBody(body, JSON_AND_FORM), responses };
}

/** An operation made with the caller's own credential (`security`), answering `responses`; `extra` adds parameters or a body. */
export function credentialBearingOperation(operationId: string, summary: string, security: OpenApiObject[], responses: OpenApiObject, extra: OpenApiObject = {}): OpenApiObject {
  return { operationId, tags: TAGS, summary, security, ...extra, responses };
}

/** The body of the endpoints that need a recent sign-in: the login and password, unless the credential's sign-in is recent. */
export const REAUTHENTICATION_BODY = jsonOrFormBody(
  {
    type: 'object',
    description: 'The login and current password, unless the credential records a sign-in within `secondFactor.recentSignIn`.',
    properties: { login: { type: 'string' }, email: { type: 'string' }, username: { type: 'string' }, password: { type: 'string', format: 'password' } },
  },
  false,
);

/** The `{ success: true, ended }` answer of the endpoints that end several things, counted. */
export function endedCounted(description: string): OpenApiObject {
  return ok(description, {
    type: 'object',
    required: ['success', 'ended'],
    properties: { success: { type: 'boolean', const: true }, ended: { type: 'integer', minimum: 0 } },
  });
}

/** The `{ success: true }` answer of the endpoints that end something. */
export function ended(): OpenApiObject {
  return ok('Ended.', { $ref: '#/components/schemas/GatehouseSuccess' });
}
