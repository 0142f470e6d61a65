/**
 * `express-gatehouse hash-password`: a bcrypt hash of a password read from stdin or typed
 * at a prompt with echo off — never from the command line, where shell history and `ps`
 * would keep it.
 */
import { PasswordHasher } from '../passwords/hasher';
import { parseCommandArgs, UsageError, type CliCommand, type CliIo } from './command';

const USAGE = `Usage: express-gatehouse hash-password [--cost N] [--pepper-env NAME]

Prints a bcrypt hash of a password, made by Gatehouse's own PasswordHasher, for a
users table or MemoryStore. The password is read from stdin when it is piped in
(one trailing newline is dropped), or typed twice at a prompt with echo off. It is
never taken from the command line.

  printf %s "$PASSWORD" | npx express-gatehouse hash-password --cost 12
  npx express-gatehouse hash-password          # prompts

Options:
  --cost N           bcrypt cost, 10 to 31, as passwords.cost (default 12)
  --pepper-env NAME  the app uses passwords.prehash: read the pepper from the
                     environment variable NAME (the hash only verifies with it)
  -h, --help         this text`;

const DEFAULT_COST = 12;

/** Everything on a piped stdin, less one trailing newline (as `echo` and here-strings add). */
async function readPiped(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Reads one line from a terminal in raw mode, echoing nothing. Rejects on Ctrl-C. */
function readHidden(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      io.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (data: Buffer | string) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish(null);
        if (char === '\u0003') return finish(new UsageError('cancelled.'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    // Echo goes off before the prompt shows, so nothing typed after it is ever echoed.
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
    io.stderr.write(prompt);
  });
}

async function readPassword(io: CliIo): Promise<string> {
  const stdin = io.stdin as NodeJS.ReadStream;
  if (!stdin.isTTY) return readPiped(io.stdin);
  const first = await readHidden(io, 'Password (not shown): ');
  if (first === '') return first;
  const again = await readHidden(io, 'Again: ');
  if (again !== first) throw new UsageError('the two passwords differ; nothing was hashed.');
  return first;
}

export const hashPassword: CliCommand = {
  name: 'hash-password',
  summary: 'print a bcrypt hash of a password read from stdin or a prompt (never argv)',
  usage: USAGE,

  async run(args, io) {
    const parsed = parseCommandArgs(args, { cost: { type: 'string' }, 'pepper-env': { type: 'string' } }, true);
    if (!parsed) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (parsed.positionals.length > 0) {
      throw new UsageError(
        'a password is never taken from the command line (shell history and ps would keep it); pipe it on stdin or type it at the prompt.',
      );
    }
    const costText = (parsed.values.cost as string | undefined) ?? String(DEFAULT_COST);
    const cost = /^\d+$/.test(costText) ? Number(costText) : NaN;
    if (!Number.isInteger(cost) || cost < 10 || cost > 31) throw new UsageError(`--cost must be an integer from 10 to 31 (default ${DEFAULT_COST}).`);
    const pepperEnv = parsed.values['pepper-env'] as string | undefined;
    let prehash: { pepper: string } | undefined;
    if (pepperEnv !== undefined) {
      const pepper = io.env[pepperEnv];
      if (!pepper) throw new UsageError(`--pepper-env ${pepperEnv}: that environment variable is not set.`);
      prehash = { pepper };
    }

    const password = await readPassword(io);
    if (password === '') {
      io.stderr.write('express-gatehouse hash-password: the password is empty; nothing was hashed.\n');
      return 1;
    }
    try {
      const hasher = new PasswordHasher({ cost, maxConcurrent: 1, ...(prehash ? { prehash } : {}) });
      io.stdout.write(`${await hasher.hash(password)}\n`);
      return 0;
    } catch (error) {
      io.stderr.write(`express-gatehouse hash-password: ${(error as Error).message}\n`);
      return 1;
    }
  },
};
