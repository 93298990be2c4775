import { callCommand, toolsCommand } from './client-commands.js';
import { ExitCode, UsageError, type CliIo, type Command } from './command.js';
import { connectCommand } from './connect/connect-command.js';
import { exposeCommand } from './expose/expose-command.js';
import { describeError } from './reporter.js';
import { packageVersion } from './version.js';

const commands: readonly Command[] = [connectCommand, exposeCommand, toolsCommand, callCommand];

function overview(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const list = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n');
  return `Usage: nexus-mcp <command> [options]

Commands:
${list}

Run 'nexus-mcp <command> --help' for a command's options.
Exit codes: 0 success, 1 runtime failure, 2 usage error.`;
}

/**
 * Runs one `nexus-mcp` command line (the arguments after the program name) and resolves with the
 * exit code: 0 success, 1 runtime failure, 2 usage error. Never throws: every failure is reported
 * on `io.stderr`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(`${overview()}\n`);
    return ExitCode.Usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') return help(rest[0], io);
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${packageVersion()}\n`);
    return ExitCode.Ok;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`nexus-mcp: unknown command ${JSON.stringify(name)}\n\n${overview()}\n`);
    return ExitCode.Usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`nexus-mcp ${command.name}: ${error.message}\nRun 'nexus-mcp ${command.name} --help' for usage.\n`);
      return ExitCode.Usage;
    }
    io.stderr.write(`nexus-mcp ${command.name}: ${describeError(error)}\n`);
    return ExitCode.Failure;
  }
}

/** `nexus-mcp help [command]`: the overview, or one command's help, on stdout. */
function help(name: string | undefined, io: CliIo): number {
  if (name === undefined) {
    io.stdout.write(`${overview()}\n`);
    return ExitCode.Ok;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    io.stderr.write(`nexus-mcp: unknown command ${JSON.stringify(name)}\n\n${overview()}\n`);
    return ExitCode.Usage;
  }
  io.stdout.write(`${command.help}\n`);
  return ExitCode.Ok;
}
