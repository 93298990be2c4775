import type { Readable, Writable } from 'node:stream';

/** What a `nexus-mcp` process exits with. */
export const ExitCode = {
  /** Done as asked. */
  Ok: 0,
  /** Something failed at run time: a connection refused or lost for good, a tool error, a child that would not start. */
  Failure: 1,
  /** The command line itself is wrong: an unknown command or option, a missing or malformed argument. */
  Usage: 2,
} as const;

/** A command line that cannot be run as written; the CLI prints it with a pointer to `--help` and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * The process as a command sees it, so that tests can run a command in-process: protocol data goes
 * to `stdout`, every message for a person to `stderr`.
 */
export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Aborted when the process is asked to stop (SIGINT, SIGTERM): long-running commands end cleanly with 0. */
  readonly signal: AbortSignal;
}

/** One `nexus-mcp <name>` command. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  /** Runs with the arguments after the command's name; resolves with the exit code, throws `UsageError` for a bad command line. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Prints a command's help on stdout (asked for, so it is the output) and returns success. */
export function printHelp(io: CliIo, command: Command): number {
  io.stdout.write(`${command.help}\n`);
  return ExitCode.Ok;
}
