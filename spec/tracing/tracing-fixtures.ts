/**
 * OpenTelemetry as an application sets it up: a BasicTracerProvider registered globally, spans
 * kept in memory, and the AsyncLocalStorage context manager (what makes a handler's own spans
 * children of the span current when it was called). One per spec file: `installTracing()` in
 * `beforeAll`, `uninstall()` in `afterAll`.
 */
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { EXPECT_WITHIN } from '../mcp/support/mcp-fixtures.js';

export interface InstalledTracing {
  readonly provider: BasicTracerProvider;
  readonly exporter: InMemorySpanExporter;
  uninstall(): Promise<void>;
}

export function installTracing(): InstalledTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  return {
    provider,
    exporter,
    async uninstall() {
      trace.disable();
      context.disable();
      await provider.shutdown();
    },
  };
}

/** The finished spans once `found` picks what the test waits for (polled: spans end as replies go out). */
export async function spansUntil<T>(exporter: InMemorySpanExporter, found: (spans: ReadableSpan[]) => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + EXPECT_WITHIN;
  for (;;) {
    const result = found(exporter.getFinishedSpans());
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${EXPECT_WITHIN} ms; finished: ${exporter.getFinishedSpans().map((s) => s.name).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The one finished span named `name`. */
export function spanNamed(exporter: InMemorySpanExporter, name: string): Promise<ReadableSpan> {
  return spansUntil(exporter, (spans) => spans.find((span) => span.name === name), `span "${name}"`);
}
