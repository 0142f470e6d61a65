/**
 * What every `express-gatehouse` command is: a name, a usage text and a `run` that gets its
 * arguments and streams and resolves to the exit code. Nothing here prints on its own.
 */
import { parseArgs } from 'node:util';

/** The streams a command uses (the real ones in the bin; replaceable in tests). */
export interface CliIo {
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** One subcommand. */
export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The whole `--help` text. */
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** Exit code for a usage mistake (unknown command or option, a missing value). */
export const USAGE_ERROR = 2;

/** A usage mistake: the message, then the command's usage, on stderr; exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** What {@link parseCommandArgs} resolves to. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/** The options a command accepts, as `util.parseArgs` takes them. */
export type OptionsConfig = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/**
 * `util.parseArgs` (strict) with `--help`/`-h` added and its errors turned into
 * {@link UsageError}. Returns `null` when help was asked for.
 */
export function parseCommandArgs(args: string[], options: OptionsConfig, allowPositionals = false): ParsedArgs | null {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true }) as ParsedArgs;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return parsed.values.help ? null : parsed;
}
