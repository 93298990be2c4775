import { parseArgs } from 'node:util';
import { UsageError } from './command.js';

/** One option as `util.parseArgs` takes it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
}

type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type OptionValue<S extends OptionSpec> = S extends { readonly type: 'boolean' }
  ? S extends { readonly multiple: true } ? boolean[] : boolean
  : S extends { readonly multiple: true } ? string[] : string;

/** A parsed command line: each option's value (absent when not given) and the positional arguments. */
export interface CommandLine<O extends OptionSpecs> {
  readonly values: { readonly [K in keyof O]?: OptionValue<O[K]> | undefined };
  readonly positionals: string[];
}

/** The options every command takes besides its own. */
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Parses a command's arguments with `util.parseArgs` (strict: unknown options are errors), turning
 * its errors into `UsageError`. Returns `'help'` when `--help`/`-h` is among the options, whatever
 * else is wrong with the line, so help is always one flag away.
 */
export function parseCommandLine<const O extends OptionSpecs>(args: readonly string[], options: O): CommandLine<O> | 'help' {
  const beforeSeparator = args.indexOf('--') < 0 ? args : args.slice(0, args.indexOf('--'));
  if (beforeSeparator.includes('--help') || beforeSeparator.includes('-h')) return 'help';
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: { ...options, ...HELP }, allowPositionals: true, strict: true });
    return { values, positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A whole number option within bounds, or a `UsageError` naming the option. */
export function integerOption(name: string, value: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const text = value.trim();
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  const number = Number(text);
  if (number < min || number > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${number}`);
  return number;
}

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Headers for an upgrade (or HTTP) request from repeated `--header 'Name: value'` options, plus
 * `Authorization: Bearer <token>` for `--token`. A malformed header, or a token beside an explicit
 * Authorization header, is a `UsageError`.
 */
export function requestHeaders(headerOptions: readonly string[] | undefined, token: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const option of headerOptions ?? []) {
    const colon = option.indexOf(':');
    const name = option.slice(0, colon).trim();
    const value = option.slice(colon + 1).trim();
    if (colon < 0 || !HEADER_NAME.test(name)) throw new UsageError(`--header must look like "Name: value", got ${JSON.stringify(option)}`);
    if (/[\r\n\0]/.test(value)) throw new UsageError(`--header ${name}: the value must not contain line breaks or NUL`);
    headers[name] = value;
  }
  if (token !== undefined) {
    if (Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
      throw new UsageError('--token and --header Authorization both set the Authorization header; give one');
    }
    if (token === '' || /[\s\0]/.test(token)) throw new UsageError('--token must be non-empty and contain no whitespace');
    headers['Authorization'] = `Bearer ${token}`;
  }
  return headers;
}

/** The positional arguments, checked against `names` (optional ones last, marked `?`): a missing or extra one is a `UsageError`. */
export function positionals(given: readonly string[], names: readonly string[]): string[] {
  const required = names.filter((name) => !name.endsWith('?')).length;
  if (given.length < required) {
    const missing = names.slice(given.length, required).map((name) => `<${name}>`);
    throw new UsageError(`missing ${missing.join(' ')}`);
  }
  if (given.length > names.length) throw new UsageError(`unexpected argument ${JSON.stringify(given[names.length])}`);
  return [...given];
}
