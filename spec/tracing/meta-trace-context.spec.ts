/**
 * W3C Trace Context in `_meta`, both ways: what `traceContextMeta()` writes for a span context is
 * what the server side reads back (ids, flags, tracestate), and `traceparent` is read by the W3C
 * rules (https://www.w3.org/TR/trace-context/#traceparent-header).
 */
import { createTraceState, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { traceContextMeta } from '../../src/tracing/index.js';
import { metaGetter, metaTraceContext, parseTraceparent } from '../../src/tracing/meta-trace-context.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

describe('W3C Trace Context in _meta', () => {
  it('round-trips a span context through traceContextMeta() and back, tracestate included', () => {
    const traceState = createTraceState('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    const sent = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, traceState });
    const meta = traceContextMeta(sent);
    expect(meta).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' });

    const received = trace.getSpanContext(metaTraceContext.extract(ROOT_CONTEXT, meta, metaGetter));
    expect(received).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(received?.traceState?.serialize()).toBe(traceState.serialize());
  });

  it('writes nothing without a valid span context, and an unsampled one with flags 00', () => {
    expect(traceContextMeta(ROOT_CONTEXT)).toEqual({});
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.NONE });
    expect(traceContextMeta(unsampled)).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-00` });
  });

  it.each([
    [`00-${TRACE_ID}-${SPAN_ID}-01`, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }],
    [`00-${TRACE_ID}-${SPAN_ID}-00`, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 }],
    [`cc-${TRACE_ID}-${SPAN_ID}-01-later-fields`, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }],
  ])('reads %s', (value, expected) => {
    expect(parseTraceparent(value)).toEqual(expected);
  });

  it.each([
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['version 00 with more fields', `00-${TRACE_ID}-${SPAN_ID}-01-00`],
    ['a later version without the dash after the flags', `cc-${TRACE_ID}-${SPAN_ID}-01x`],
    ['uppercase hex', `00-${TRACE_ID}-${SPAN_ID.toUpperCase()}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['an all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['a short span id', `00-${TRACE_ID}-${SPAN_ID.slice(2)}-01`],
    ['no flags', `00-${TRACE_ID}-${SPAN_ID}`],
    ['nothing', ''],
  ])('refuses %s', (_what, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });
});
