import type { IncomingMessage } from 'node:http';

import { readEnv } from '@closeloop/config';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

let sdk: NodeSDK | undefined;
let exporting = false;

/**
 * Whether spans go anywhere: OTEL_TRACES_EXPORTER names an exporter other than `none`, or it is
 * unset and an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). Without an endpoint the SDK would send to
 * localhost:4318 and fail there; here no endpoint means no exporter.
 */
export const tracesExportConfigured = (env: (key: string) => string | undefined = readEnv): boolean => {
  const exporters = (env('OTEL_TRACES_EXPORTER') ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e && e !== 'none');
  if (exporters.length > 0) return true;
  if ((env('OTEL_TRACES_EXPORTER') ?? '').trim() !== '') return false; // `none`
  return Boolean(env('OTEL_EXPORTER_OTLP_ENDPOINT') || env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'));
};

/** Probes and scrapes are not worth a trace each. */
const ignoredPath = (request: IncomingMessage): boolean => /^\/(health|metrics)(\/|\?|$)/.test(request.url ?? '');

/**
 * Starts the OpenTelemetry Node SDK. Must run before Nest, express, pg and kafkajs are loaded,
 * so each service's `src/tracing.ts` is the first import of its `main.ts`.
 *
 * - Exporting (see `tracesExportConfigured`): spans of HTTP (server; /health and /metrics left
 *   out), express route handlers, Nest controllers and pg queries (only inside a traced
 *   operation, `requireParentSpan`, so the outbox relay's and the deadline scanner's polling make
 *   no root spans; statements without their values), plus the messaging spans libs/messaging
 *   makes itself. Exported with the exporter, protocol, endpoint, sampler and batch settings of
 *   the standard OTEL_* variables (default OTLP http/protobuf, parent-based always-on).
 *   `service.name` is the service unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say
 *   otherwise.
 * - Not exporting: no instrumentation is installed (nothing is patched, no span is recorded, so
 *   the service runs as fast as without tracing); only the context manager and the W3C
 *   propagator, so the trace context a message arrives with still travels on with the events it
 *   causes and appears in the logs.
 * - OTEL_SDK_DISABLED=true: nothing at all.
 *
 * `@opentelemetry/instrumentation-kafkajs` is deliberately not installed: for `sendBatch` it
 * starts one producer span per message under the caller's active context and overwrites the
 * message's `traceparent` with it (the outbox relay sends rows of many journeys in one
 * `sendBatch`, from no context at all, so every message would start a new trace), and for
 * `eachBatch` it makes each message's process span a child of a new root `poll` span, with the
 * producer only as a link, so every hop would start a new trace. The outbox relay and the batch
 * consumer (libs/messaging) create the producer and process spans themselves, parented per
 * message (see `messaging-spans.ts`).
 */
export const startTracing = (service: string): void => {
  if (sdk) return;
  exporting = tracesExportConfigured();
  sdk = new NodeSDK(
    exporting
      ? {
          resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: service })),
          instrumentations: [
            new HttpInstrumentation({ ignoreIncomingRequestHook: ignoredPath }),
            new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] }),
            new NestInstrumentation(),
            new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
          ],
          metricReaders: [],
          logRecordProcessors: [],
        }
      : { autoDetectResources: false, instrumentations: [], spanProcessors: [], metricReaders: [], logRecordProcessors: [] },
  );
  sdk.start();
};

/** Whether this process exports spans (for the start-up log line). */
export const tracingExports = (): boolean => exporting;

/** Exports the spans still buffered; call at shutdown. */
export const shutdownTracing = async (): Promise<void> => {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
};
