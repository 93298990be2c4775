import type { Writable } from 'node:stream';
import type { Logger } from '../transport/index.js';

/**
 * What a command tells the person running it, on stderr, each line prefixed with the command
 * (`nexus-mcp connect: …`). `info` is progress worth seeing (connected, reconnected, a child
 * started) and `--quiet` silences it; `notice` (what a user needs, like the address served) and
 * `warn` are always shown.
 */
export class Reporter implements Logger {
  constructor(
    private readonly stream: Writable,
    private readonly prefix: string,
    private readonly quiet = false,
  ) {}

  info(message: string): void {
    if (!this.quiet) this.write(message);
  }

  notice(message: string): void {
    this.write(message);
  }

  warn(message: string): void {
    this.write(message);
  }

  /** A line from somewhere else (a child's stderr), passed on with its own prefix, even when quiet. */
  relay(prefix: string, line: string): void {
    this.stream.write(`${prefix} ${line}\n`);
  }

  private write(message: string): void {
    this.stream.write(`${this.prefix}: ${message}\n`);
  }
}

/** An error's message, for a person. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
