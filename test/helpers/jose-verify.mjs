// Verifies tokens the way another service would: jose's createRemoteJWKSet against a JWKS URL.
// Input (stdin, JSON): { url, issuer, audience, tokens: string[] }. Output: one result per token.
import { createRemoteJWKSet, jwtVerify } from 'jose';

let text = '';
for await (const chunk of process.stdin) text += chunk;
const { url, issuer, audience, tokens } = JSON.parse(text);
const keySet = createRemoteJWKSet(new URL(url));
const results = [];
for (const token of tokens) {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, keySet, { issuer, audience });
    results.push({ valid: true, kid: protectedHeader.kid, alg: protectedHeader.alg, sub: payload.sub });
  } catch (error) {
    results.push({ valid: false, code: error.code ?? error.message });
  }
}
process.stdout.write(JSON.stringify(results));
