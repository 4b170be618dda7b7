import { ROOT_CONTEXT, type SpanContext, trace, TraceFlags } from '@opentelemetry/api';

import { traceFields } from './logger';
import { contextFromCarrier, messageTraceParentOfJourney, runInMessageScope, spanContextOf, traceCarrierOf, traceIdOf } from './trace-context';
import { tracesExportConfigured } from './tracing';

const spanContext = (traceId: string, spanId: string): SpanContext => ({ traceId, spanId, traceFlags: TraceFlags.SAMPLED });
const contextOf = (traceId: string, spanId: string) => trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(spanContext(traceId, spanId)));
const A = { traceId: 'a'.repeat(32), spanId: '1'.repeat(16) };
const B = { traceId: 'b'.repeat(32), spanId: '2'.repeat(16) };

describe('W3C trace context', () => {
  it('writes a span context as traceparent and reads it back', () => {
    const carrier = traceCarrierOf(contextOf(A.traceId, A.spanId));
    expect(carrier).toEqual({ traceparent: `00-${A.traceId}-${A.spanId}-01` });
    expect(spanContextOf(contextFromCarrier(carrier))).toMatchObject({ traceId: A.traceId, spanId: A.spanId, isRemote: true });
  });

  it('has nothing to write without a valid span, and reads nothing from a missing or broken header', () => {
    expect(traceCarrierOf(ROOT_CONTEXT)).toEqual({});
    expect(spanContextOf(contextFromCarrier(null))).toBeUndefined();
    expect(spanContextOf(contextFromCarrier({ traceparent: 'not-a-traceparent' }))).toBeUndefined();
  });

  it('takes the trace id out of a traceparent', () => {
    expect(traceIdOf(`00-${A.traceId}-${A.spanId}-01`)).toBe(A.traceId);
    expect(traceIdOf('00-short-1111-01')).toBeNull();
    expect(traceIdOf(null)).toBeNull();
  });
});

describe('log lines inside a batch handler', () => {
  const scope = {
    byEventId: new Map([['e-a', contextOf(A.traceId, A.spanId)]]),
    byRequestId: new Map([
      ['journey-a', contextOf(A.traceId, A.spanId)],
      ['journey-b', contextOf(B.traceId, B.spanId)],
    ]),
  };

  it("carry the trace of the journey they name, not of another journey's message in the batch", () => {
    runInMessageScope(scope, () => {
      expect(traceFields({ requestId: 'journey-b' })).toEqual({ traceId: B.traceId, spanId: B.spanId });
      expect(traceFields({ requestId: 'journey-a' })).toEqual({ traceId: A.traceId, spanId: A.spanId });
      expect(messageTraceParentOfJourney('journey-b')).toBe(`00-${B.traceId}-${B.spanId}-01`);
      // Several journeys: a line naming none gets no journey's trace.
      expect(traceFields({})).toEqual({});
    });
  });

  it("carry the journey's requestId and trace when the batch holds one journey", () => {
    runInMessageScope({ byEventId: new Map(), byRequestId: new Map([['journey-a', contextOf(A.traceId, A.spanId)]]) }, () => {
      expect(traceFields({ msg: 'connector call failed' })).toEqual({ requestId: 'journey-a', traceId: A.traceId, spanId: A.spanId });
    });
  });

  it('carry nothing outside a handler and a span', () => {
    expect(traceFields({ requestId: 'journey-a' })).toEqual({});
  });
});

describe('whether traces are exported', () => {
  const env = (vars: Record<string, string>) => (key: string) => vars[key];
  it('exports to a configured OTLP endpoint, or to an exporter named in OTEL_TRACES_EXPORTER', () => {
    expect(tracesExportConfigured(env({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }))).toBe(true);
    expect(tracesExportConfigured(env({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }))).toBe(true);
    expect(tracesExportConfigured(env({ OTEL_TRACES_EXPORTER: 'console' }))).toBe(true);
  });

  it('does not export without an endpoint, or with OTEL_TRACES_EXPORTER=none', () => {
    expect(tracesExportConfigured(env({}))).toBe(false);
    expect(tracesExportConfigured(env({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }))).toBe(false);
  });
});
