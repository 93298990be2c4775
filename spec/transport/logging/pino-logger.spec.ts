/**
 * The `logger` option with a real pino logger writing JSON lines to a stream the test reads:
 * levels, `clientId` / `sessionId` child bindings, the refusal summary, and a plain `{ warn, info }`
 * object that still works.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as t from 'io-ts';
import { pino, type Logger as PinoLogger } from 'pino';
import { filter, firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { WebSocket } from 'ws';
import type { MCPServerOptions } from '../../../src/mcp/index.js';
import { serveSdkServer } from '../../../src/mcp/sdk/index.js';
import type { LoggerOption, ServerTransportOptions, StructuredLogger } from '../../../src/transport/index.js';
import { closeAll as closeMcp, RawMcpClient, startMcpServer } from '../../mcp/support/mcp-fixtures.js';
import { closeAll } from '../../support/resources.js';
import { EXPECT_WITHIN, startClient, startServer } from '../../support/sockets.js';

afterEach(async () => {
  await closeAll();
  await closeMcp();
});

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly clientId?: string;
  readonly sessionId?: string;
  readonly err?: { readonly message: string; readonly type: string };
  readonly [field: string]: unknown;
}

const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** A real pino logger at `level`, writing to a destination whose JSON lines the test reads. */
function pinoInto(level = 'debug'): { logger: PinoLogger; lines: Line[]; next: (predicate: (line: Line) => boolean) => Promise<Line> } {
  const lines: Line[] = [];
  const waiters: { predicate: (line: Line) => boolean; resolve: (line: Line) => void }[] = [];
  const destination = {
    write(chunk: string): void {
      const line = JSON.parse(chunk) as Line;
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.predicate(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    },
  };
  const next = (predicate: (line: Line) => boolean): Promise<Line> => {
    const seen = lines.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise<Line>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line within ${EXPECT_WITHIN} ms; got ${JSON.stringify(lines)}`)), EXPECT_WITHIN);
      waiters.push({ predicate, resolve: (line) => (clearTimeout(timer), resolve(line)) });
    });
  };
  return { logger: pino({ level }, destination), lines, next };
}

describe('types', () => {
  it('takes pino() as it is, and a { warn, info } object, for the logger option', () => {
    expectTypeOf(pino()).toExtend<StructuredLogger>();
    expectTypeOf(pino()).toExtend<NonNullable<ServerTransportOptions['logger']>>();
    expectTypeOf(pino()).toExtend<NonNullable<MCPServerOptions['logger']>>();
    expectTypeOf<{ warn(message: string): void; info(message: string): void }>().toExtend<LoggerOption>();
    // Assignments, checked by tsc: no adapter, no cast.
    const options: ServerTransportOptions = { logger: pino({ level: 'silent' }) };
    expect(options.logger).toBeDefined();
  });
});

describe('the transport with a pino logger', () => {
  it('logs start and stop at info, and a client coming and going at debug with its clientId bound', async () => {
    const { logger, next } = pinoInto('debug');
    const { server, url } = await startServer({ logger });
    const serving = await next((line) => line.msg === 'nexus-mcp: serving');
    expect(serving).toMatchObject({ level: LEVEL.info, url });

    const client = await startClient(url);
    const [connection] = server.getClients();
    expect(connection).toBeDefined();
    const clientId = connection?.id;
    const connected = await next((line) => line.msg === 'nexus-mcp: client connected');
    expect(connected).toMatchObject({ level: LEVEL.debug, clientId, address: '127.0.0.1' });

    await client.stop();
    const left = await next((line) => line.msg === 'nexus-mcp: client disconnected');
    expect(left).toMatchObject({ level: LEVEL.debug, clientId, code: 1000 });

    await server.stop();
    expect(await next((line) => line.msg === 'nexus-mcp: stopped')).toMatchObject({ level: LEVEL.info });
  });

  it('logs a failing handler at error, with the error as err and the clientId bound', async () => {
    const { logger, next } = pinoInto('info');
    const { server, url } = await startServer({
      logger,
      messageHandler: () => {
        throw new Error('the database is down');
      },
    });
    const client = await startClient(url);
    await client.sendMessage({ type: 'ping' });
    const failed = await next((line) => line.level === LEVEL.error);
    expect(failed.clientId).toBe(server.getClients()[0]?.id);
    expect(failed['code']).toBe('handler_failed');
    expect(failed.err?.type).toBe('HandlerError');
    expect(JSON.stringify(failed.err)).toContain('the database is down');
  });

  it('at info, logs no client lines and builds no child logger for them', async () => {
    const { logger, lines, next } = pinoInto('info');
    let children = 0;
    const counting = Object.assign(Object.create(logger) as PinoLogger, {
      child: (bindings: Record<string, unknown>) => {
        children += 1;
        return logger.child(bindings);
      },
    });
    const { server, url } = await startServer({ logger: counting });
    const client = await startClient(url);
    await client.sendMessage({ type: 'hello' });
    await client.stop();
    await firstValueFrom(server.clientCount$.pipe(filter((n) => n === 0)));
    await server.stop();
    await next((line) => line.msg === 'nexus-mcp: stopped');
    expect(children).toBe(0);
    expect(lines.map((line) => line.msg)).toEqual(['nexus-mcp: serving', 'nexus-mcp: stopped']);
  });

  it('logs each refused upgrade at debug only, and sums them up in one warning (flushed on stop)', async () => {
    const { logger, lines, next } = pinoInto('debug');
    const { server, url } = await startServer({ logger, allowedOrigins: ['https://good.example'] });
    for (let i = 0; i < 5; i += 1) {
      const socket = new WebSocket(url, { origin: 'https://evil.example' });
      await new Promise<void>((resolve) => {
        socket.once('unexpected-response', () => resolve());
        socket.once('error', () => resolve());
      });
      socket.terminate();
    }
    await next((line) => line['code'] === 'upgrade_refused' && lines.filter((l) => l['code'] === 'upgrade_refused').length === 5);
    const refusals = lines.filter((line) => line['code'] === 'upgrade_refused');
    expect(refusals.every((line) => line.level === LEVEL.debug)).toBe(true);
    expect(lines.filter((line) => line.level >= LEVEL.warn)).toEqual([]);

    await server.stop();
    const summary = await next((line) => line.level === LEVEL.warn);
    expect(summary['refused']).toEqual({ 'upgrades refused': 5 });
    expect(lines.filter((line) => line.level === LEVEL.warn)).toHaveLength(1);
  });

  // The inline arrows get `message: string` inferred, as before the logger was structured (tsc checks it).
  it('still takes a plain { warn, info } object: info lines to info, errors to warn as text', async () => {
    const infos: string[] = [];
    const warnings: string[] = [];
    const { server, url } = await startServer({
      logger: { info: (message) => infos.push(message), warn: (message) => warnings.push(message) },
      messageHandler: () => {
        throw new Error('boom');
      },
    });
    const client = await startClient(url);
    await client.sendMessage({ type: 'x' });
    const clientId = server.getClients()[0]?.id ?? 'none';
    const deadline = Date.now() + EXPECT_WITHIN;
    while (warnings.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(infos).toEqual([`nexus-mcp: serving url=${url}`]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`clientId=${clientId}`);
    expect(warnings[0]).toContain('code=handler_failed');
  });
});

describe('the MCP server with a pino logger', () => {
  it('logs a throwing tool at error and its call at debug, with the sessionId bound', async () => {
    const { logger, next } = pinoInto('debug');
    const { url, server } = await startMcpServer({ logger }, (s) => {
      s.registerTool('explode', { input: t.type({}) }, () => {
        throw new Error('kaboom');
      });
    });
    const client = await RawMcpClient.connect(url);
    await client.initialize();
    await client.request('tools/call', { name: 'explode', arguments: {} });
    const [sessionId] = server.sessionIds();
    expect(sessionId).toBeDefined();
    const opened = await next((line) => line.msg === 'nexus-mcp: MCP session opened');
    expect(opened).toMatchObject({ level: LEVEL.debug, sessionId });
    const call = await next((line) => line['tool'] === 'explode');
    expect(call).toMatchObject({ level: LEVEL.debug, sessionId, outcome: 'failed' });
    const failed = await next((line) => line.level === LEVEL.error);
    expect(failed).toMatchObject({ context: 'tool "explode"' });
    expect(JSON.stringify(failed.err)).toContain('kaboom');
  });

  it('serveSdkServer logs a failing factory on the transport logger, clientId bound, by default', async () => {
    const { logger, next } = pinoInto('info');
    const { server, url } = await startServer({ logger });
    const serving = serveSdkServer(server, () => {
      throw new Error('no SDK server today');
    });
    try {
      await startClient(url);
      const failed = await next((line) => line.level === LEVEL.error);
      expect(failed.msg).toContain('no SDK server today');
      expect(typeof failed.clientId).toBe('string');
    } finally {
      serving.unsubscribe();
    }
  });
});

describe('the default logger', () => {
  it('writes to stderr only: stdout stays free for a protocol on stdio', async () => {
    const script = fileURLToPath(new URL('./fixtures/default-logger-server.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(killer);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^nexus-mcp: serving url=ws:\/\/127\.0\.0\.1:\d+$/m);
    expect(stderr).toMatch(/^nexus-mcp: .*code=handler_failed/m);
    expect(stderr).toMatch(/^nexus-mcp: stopped/m);
    expect(stderr).not.toContain('client connected'); // debug is off by default
  });
});
