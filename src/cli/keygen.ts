/**
 * `express-gatehouse keygen`: a new random API key, and the `sha256:` line that puts it in
 * the `apiKeys` map without the plaintext.
 */
import { apiKeyDigest } from '../schemes/api-key/options';
import { DEFAULT_API_KEY_PREFIX, generateApiKey, isApiKeyPrefix } from '../tokens/api-key-format';
import { parseCommandArgs, UsageError, type CliCommand } from './command';

const USAGE = `Usage: express-gatehouse keygen [--role ROLE]... [--label LABEL] [--prefix PREFIX] [--json]

Prints a new API key and the line to put in the apiKeys map of
gatehouse({ apiKeys }) instead of the key itself, so the plaintext never sits in
your configuration. Give the key to the client once; it is not stored anywhere.
The key has the format of store-issued keys: PREFIX, 43 random letters and
digits (256 bits) and a 6-character checksum, so a mistyped key is refused
without a lookup and a leaked one matches PREFIX[0-9A-Za-z]{49}.

Options:
  --role ROLE       a role the key carries (repeat for several)
  --label LABEL     a name for the key (also its actor id)
  --prefix PREFIX   what the key starts with, e.g. sk_live_ (default ${DEFAULT_API_KEY_PREFIX})
  --json            print {"key", "digest", "entry"} as JSON instead
  -h, --help        this text`;

const ROLE = /^[\x21-\x7e]+$/;

/** A value as a JavaScript literal with single-quoted strings, as in the README's examples. */
function jsLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jsLiteral).join(', ')}]`;
  return `'${String(value).replace(/[\\']/g, '\\$&')}'`;
}

export const keygen: CliCommand = {
  name: 'keygen',
  summary: 'print a new random API key and its sha256: line for the apiKeys map',
  usage: USAGE,

  async run(args, io) {
    const parsed = parseCommandArgs(args, {
      role: { type: 'string', multiple: true },
      label: { type: 'string' },
      prefix: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (!parsed) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const roles = (parsed.values.role ?? []) as string[];
    for (const role of roles) {
      if (!ROLE.test(role)) throw new UsageError(`--role ${JSON.stringify(role)}: a role is printable ASCII without spaces.`);
    }
    const label = parsed.values.label as string | undefined;
    if (label !== undefined && label.trim() === '') throw new UsageError('--label must not be empty.');

    const prefix = (parsed.values.prefix as string | undefined) ?? DEFAULT_API_KEY_PREFIX;
    if (!isApiKeyPrefix(prefix)) throw new UsageError(`--prefix ${JSON.stringify(prefix)}: lower-case letters and digits in up to four parts, each ending in "_" (such as sk_live_).`);
    const key = generateApiKey(prefix);
    const digest = apiKeyDigest(key);
    const entry: Record<string, string | string[]> = roles.length === 1 ? { role: roles[0] } : { roles };
    if (label !== undefined) entry.label = label;
    if (parsed.values.json) {
      io.stdout.write(`${JSON.stringify({ key, digest, entry })}\n`);
      return 0;
    }
    const fields = Object.entries(entry).map(([name, value]) => `${name}: ${jsLiteral(value)}`);
    io.stdout.write(
      [
        'API key (give it to the client once; it is stored nowhere):',
        `  ${key}`,
        '',
        'For the apiKeys map of gatehouse({ apiKeys }):',
        `  '${digest}': { ${fields.join(', ')} },`,
        ...(roles.length === 0 ? ['', "(no --role given: add the key's roles, e.g. { role: 'admin' })"] : []),
        '',
      ].join('\n'),
    );
    return 0;
  },
};
