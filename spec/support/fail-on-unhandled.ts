// Any unhandled rejection or uncaught exception fails the test it happened in: in networking code
// it is a lost error. (Vitest also reports them at the end of the run; this names the test.)
import { afterEach } from 'vitest';

const key = Symbol.for('nexus-mcp.spec.unhandled');
type Registry = { errors: unknown[] };
const globals = globalThis as typeof globalThis & { [key]?: Registry };

// Setup files run once per test file; the process listeners must be added only once per worker.
const registry: Registry = globals[key] ?? { errors: [] };
if (!globals[key]) {
  globals[key] = registry;
  // Rethrown so Vitest also reports it (even when it happens after the last test of a file);
  // the monitor below records it for the test that is running.
  process.on('unhandledRejection', (reason) => {
    throw reason instanceof Error ? reason : new Error(`Unhandled rejection: ${String(reason)}`);
  });
  process.on('uncaughtExceptionMonitor', (error) => registry.errors.push(error));
}

afterEach(() => {
  const errors = registry.errors.splice(0);
  if (errors.length === 0) return;
  const [first] = errors;
  if (errors.length === 1 && first instanceof Error) throw first;
  throw new AggregateError(errors, `${errors.length} unhandled errors during this test`);
});
