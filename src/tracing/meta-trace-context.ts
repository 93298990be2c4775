import { createTraceState, isSpanContextValid, trace, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';

/**
 * `traceparent`: version, trace id, parent span id, flags, in lowercase hex. Version 00 is exactly
 * this; a later version may append fields after a dash, which a version-00 reader skips.
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const TRACEPARENT_KEY = 'traceparent';
const TRACESTATE_KEY = 'tracestate';

/**
 * W3C Trace Context carried in MCP's `params._meta`, unprefixed as SEP-414 and the OpenTelemetry
 * MCP conventions name it: `traceparent` and `tracestate`. Written here rather than taken from
 * `@opentelemetry/core` so that it works without any propagator registered (the API's default
 * global propagator extracts nothing) and without a second package.
 *
 * Extracting never throws: a missing or malformed `traceparent` (bad length, uppercase hex,
 * version `ff`, an all-zero id, version 00 with trailing fields) leaves the context as it was.
 */
export const metaTraceContext: TextMapPropagator = {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (!spanContext || !isSpanContextValid(spanContext)) return;
    const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
    setter.set(carrier, TRACEPARENT_KEY, `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`);
    const state = spanContext.traceState?.serialize();
    if (state) setter.set(carrier, TRACESTATE_KEY, state);
  },

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const parsed = parseTraceparent(single(getter.get(carrier, TRACEPARENT_KEY)));
    if (!parsed) return context;
    const state = single(getter.get(carrier, TRACESTATE_KEY));
    return trace.setSpanContext(context, { ...parsed, isRemote: true, ...(state === undefined ? {} : { traceState: createTraceState(state) }) });
  },

  fields(): string[] {
    return [TRACEPARENT_KEY, TRACESTATE_KEY];
  },
};

/** A `traceparent` header's ids and flags; `undefined` for anything the W3C format refuses. */
export function parseTraceparent(value: string | undefined): { traceId: string; spanId: string; traceFlags: number } | undefined {
  const match = value === undefined ? null : TRACEPARENT.exec(value.trim());
  if (!match) return undefined;
  const [, version, traceId = '', spanId = '', flags = '', rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const spanContext = { traceId, spanId, traceFlags: parseInt(flags, 16) };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads string values of a `_meta` object; anything else in it is not trace context. */
export const metaGetter: TextMapGetter<Readonly<Record<string, unknown>> | undefined> = {
  keys: (carrier) => (carrier ? Object.keys(carrier) : []),
  get: (carrier, key) => {
    const value = carrier?.[key];
    return typeof value === 'string' ? value : undefined;
  },
};

/** Writes into a `_meta` object under construction. */
export const metaSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};
