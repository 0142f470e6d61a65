// Validates an OpenAPI document against the OpenAPI 3.1 schema (and resolves every $ref) with
// @apidevtools/swagger-parser. Input (stdin, JSON): the document. Output: { valid, error? }.
import SwaggerParser from '@apidevtools/swagger-parser';

let text = '';
for await (const chunk of process.stdin) text += chunk;
try {
  const api = await SwaggerParser.validate(JSON.parse(text));
  process.stdout.write(JSON.stringify({ valid: true, openapi: api.openapi }));
} catch (error) {
  process.stdout.write(JSON.stringify({ valid: false, error: String(error.message) }));
}
