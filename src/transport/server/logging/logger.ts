/**
 * One log method, in pino's two call shapes: `log({ clientId, err }, 'message')` and `log('message')`.
 * Fields in the object are structured data; `err` holds an `Error`.
 */
export interface LogFn {
  (fields: object, message?: string): void;
  (message: string): void;
}

/** The fields a child logger adds to every line it writes (`clientId`, `sessionId`, …). */
export type LogBindings = Record<string, unknown>;

/**
 * A structured logger. A pino logger is one as it is (`logger: pino()`), and so is anything with
 * the same levels and `child`. `trace` and `fatal` are optional; `isLevelEnabled`, when present,
 * lets the server skip building a line (and a child logger) at a level nobody reads.
 */
export interface StructuredLogger {
  trace?: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal?: LogFn;
  /** A logger that adds `bindings` to every line. */
  child(bindings: LogBindings): StructuredLogger;
  /** Whether a line at `level` would be written; lets the server skip building lines nobody reads. */
  isLevelEnabled?(level: string): boolean;
}

/**
 * A message-only logger: what the `logger` option took before it was structured. Still accepted:
 * `info` gets info lines, `warn` gets warnings and errors, debug lines are dropped, and structured
 * fields are appended to the message as `key=value`.
 */
export interface Logger {
  /** Something an operator should act on. */
  warn(message: string): void;
  /** Something worth knowing that needs no action. */
  info(message: string): void;
}

/**
 * What the `logger` option accepts: a {@link StructuredLogger} (`pino()` as it is), or a
 * message-only {@link Logger}. One shape rather than a union, so that an inline
 * `{ warn: (message) => …, info: (message) => … }` still gets `message: string` inferred. It is
 * used as structured when it has `child`, `debug` and `error`; otherwise as message-only.
 */
export interface LoggerOption extends Logger {
  trace?: LogFn;
  debug?: LogFn;
  error?: LogFn;
  fatal?: LogFn;
  /** A logger that adds `bindings` to every line (structured loggers only). */
  child?(bindings: LogBindings): StructuredLogger;
  /** Whether a line at `level` would be written. */
  isLevelEnabled?(level: string): boolean;
}

/** A log level, lowest first. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** Writes one finished line at a level; the base of {@link lineLogger}. */
type LineSink = (level: LogLevel, line: string) => void;

/**
 * A structured logger over a line sink: each line is `message key=value …` (bindings first, then
 * the call's fields; `err` as its message). Levels below `minLevel` are dropped before formatting.
 */
export function lineLogger(sink: LineSink, minLevel: LogLevel = 'info', bindings: LogBindings = {}): StructuredLogger {
  const threshold = LEVELS.indexOf(minLevel);
  const enabled = (level: string): boolean => LEVELS.indexOf(level as LogLevel) >= threshold;
  const at =
    (level: LogLevel): LogFn =>
    (first: object | string, message?: string): void => {
      if (!enabled(level)) return;
      const fields = typeof first === 'string' ? {} : first;
      const text = typeof first === 'string' ? first : (message ?? '');
      sink(level, formatLine(text, { ...bindings, ...fields }));
    };
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: (more) => lineLogger(sink, minLevel, { ...bindings, ...more }),
    isLevelEnabled: enabled,
  };
}

function formatLine(message: string, fields: LogBindings): string {
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  return parts.length === 0 ? message : `${message} ${parts.join(' ')}`;
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === 'string') return /^[\w.:/@-]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return '[unserializable]';
    }
  }
  return String(value);
}

/**
 * A structured logger writing `minLevel` and above to stderr, one `message key=value …` line each;
 * never stdout, which may be the protocol's own channel (an MCP server on stdio). The default
 * logger is `stderrLogger('info')`; pass `stderrLogger('debug')` to see clients come and go.
 */
export function stderrLogger(minLevel: LogLevel = 'info'): StructuredLogger {
  return lineLogger((level, line) => {
    if (level === 'warn' || level === 'error' || level === 'fatal') console.warn(line);
    else console.error(line);
  }, minLevel);
}

/** The default logger: info and above to stderr. */
export const consoleLogger: StructuredLogger = stderrLogger('info');

const ignore: LogFn = () => undefined;

/** Says nothing (`logger: false`). */
export const silentLogger: StructuredLogger = {
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  fatal: ignore,
  child: () => silentLogger,
  isLevelEnabled: () => false,
};

/** Whether `logger` has every method a {@link StructuredLogger} must have. */
export function isStructuredLogger(logger: LoggerOption): logger is LoggerOption & StructuredLogger {
  return typeof logger.child === 'function' && typeof logger.debug === 'function' && typeof logger.error === 'function';
}

/**
 * The structured logger for a `logger` option: a structured one as it is; a message-only one
 * wrapped (debug and trace dropped, error and fatal to `warn`); `false` silent; none the default.
 */
export function resolveLogger(option: LoggerOption | false | undefined): StructuredLogger {
  if (option === false) return silentLogger;
  if (option === undefined) return consoleLogger;
  if (isStructuredLogger(option)) return option;
  return lineLogger((level, line) => (level === 'info' ? option.info(line) : option.warn(line)), 'info');
}

/**
 * A child logger for one client, made only when `level` is enabled: children are built per line,
 * never kept per connection, so idle connections cost nothing.
 */
export function clientLogger(logger: StructuredLogger, level: LogLevel, bindings: LogBindings): StructuredLogger | undefined {
  if (logger.isLevelEnabled && !logger.isLevelEnabled(level)) return undefined;
  return logger.child(bindings);
}
