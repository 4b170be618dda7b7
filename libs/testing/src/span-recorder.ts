import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';

export interface SpanRecorder {
  /** The spans ended so far. */
  readonly spans: () => readonly ReadableSpan[];
  readonly stop: () => Promise<void>;
}

/**
 * Records the spans made in this (test) process in memory, with the context manager and the
 * W3C propagator a service gets from `startTracing`, and no instrumentation: for tests of the
 * spans libs/messaging makes itself.
 */
export const recordSpans = (): SpanRecorder => {
  const exporter = new InMemorySpanExporter();
  const sdk = new NodeSDK({
    autoDetectResources: false,
    instrumentations: [],
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return { spans: () => exporter.getFinishedSpans(), stop: () => sdk.shutdown() };
};
