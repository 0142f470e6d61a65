#!/usr/bin/env node
/**
 * The `express-gatehouse` command (`npx express-gatehouse <command>`): keygen,
 * hash-password and migrate. Exit codes: 0 done, 1 failed, 2 a usage mistake.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { USAGE_ERROR, UsageError, type CliCommand, type CliIo } from './command';
import { hashPassword } from './hash-password';
import { keygen } from './keygen';
import { migrateCommand } from './migrate';

const COMMANDS: readonly CliCommand[] = [keygen, hashPassword, migrateCommand];

function usage(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    'Usage: express-gatehouse <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    "Run 'express-gatehouse <command> --help' for a command's options.",
  ].join('\n');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs the command line `args` (without node and the script) and resolves to the exit code. */
export async function main(args: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`${name === undefined ? 'express-gatehouse: a command is required.' : `express-gatehouse: unknown command '${name}'.`}\n\n${usage()}\n`);
    return USAGE_ERROR;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`express-gatehouse ${command.name}: ${error.message}\n\n${command.usage}\n`);
      return USAGE_ERROR;
    }
    io.stderr.write(`express-gatehouse ${command.name}: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
