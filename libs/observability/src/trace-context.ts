import { AsyncLocalStorage } from 'node:async_hooks';

import { type Context, context, isSpanContextValid, ROOT_CONTEXT, type SpanContext, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * W3C trace context in the forms Closeloop stores and sends it: `traceparent` (and `tracestate`)
 * strings in Kafka headers and in database columns. Always W3C, whatever OTEL_PROPAGATORS says:
 * it is the format of the outbox column and of the message headers, a contract between services.
 */
const w3c = new W3CTraceContextPropagator();

export type TraceCarrier = {
  traceparent?: string;
  tracestate?: string;
};

const setter = {
  set: (carrier: Record<string, string>, key: string, value: string) => {
    carrier[key] = value;
  },
};
const getter = {
  get: (carrier: Readonly<Record<string, string | undefined>>, key: string) => carrier[key],
  keys: (carrier: Readonly<Record<string, string | undefined>>) => Object.keys(carrier),
};

/** The W3C headers of a context's span; empty when it has no valid span. */
export const traceCarrierOf = (ctx: Context): TraceCarrier => {
  const carrier: Record<string, string> = {};
  w3c.inject(ctx, carrier, setter);
  return carrier;
};

/** The context a `traceparent` (and `tracestate`) continues; the root context when absent or invalid. */
export const contextFromCarrier = (carrier: Readonly<Record<string, string | undefined>> | null | undefined): Context =>
  carrier?.['traceparent'] ? w3c.extract(ROOT_CONTEXT, carrier, getter) : ROOT_CONTEXT;

/** The valid span context of a context, if any. */
export const spanContextOf = (ctx: Context): SpanContext | undefined => {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
};

/** `traceparent` of the active span, e.g. the HTTP request that accepted a journey. */
export const activeTraceParent = (): string | undefined => traceCarrierOf(context.active()).traceparent;

/** The trace id inside a `traceparent` (`00-<trace id>-<span id>-<flags>`), or null. */
export const traceIdOf = (traceparent: string | null | undefined): string | null => {
  const match = traceparent ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent) : null;
  return match?.[1] ?? null;
};

/**
 * The trace contexts of the messages a batch handler is working on. A handler gets a whole
 * batch (several journeys, one database transaction), so "the active span" cannot say which
 * message an outgoing event or a log line is about; the batch consumer records each message's
 * process span here, by event id and by journey (requestId), and the outbox and the logger look
 * them up: an event continues the trace of the event that caused it (its `causationId`).
 */
export interface MessageTraceScope {
  readonly byEventId: ReadonlyMap<string, Context>;
  readonly byRequestId: ReadonlyMap<string, Context>;
}

const scopes = new AsyncLocalStorage<MessageTraceScope>();

export const runInMessageScope = <T>(scope: MessageTraceScope, fn: () => T): T => scopes.run(scope, fn);

/** The context of the message (by event id) being handled, when called from its handler. */
export const messageContextOfEvent = (eventId: string | undefined): Context | undefined => (eventId ? scopes.getStore()?.byEventId.get(eventId) : undefined);

/** The context of the last message of a journey in the batch being handled. */
export const messageContextOfJourney = (requestId: string | undefined): Context | undefined =>
  requestId ? scopes.getStore()?.byRequestId.get(requestId) : undefined;

/** The `traceparent` of the message (by event id) being handled; for records that keep the trace id. */
export const messageTraceParent = (eventId: string | undefined): string | undefined => {
  const ctx = messageContextOfEvent(eventId);
  return ctx ? traceCarrierOf(ctx).traceparent : undefined;
};

/** The `traceparent` of the batch's last message of a journey, when called from its handler. */
export const messageTraceParentOfJourney = (requestId: string): string | undefined => {
  const ctx = messageContextOfJourney(requestId);
  return ctx ? traceCarrierOf(ctx).traceparent : undefined;
};

/** The journey the current handler works on, when its batch holds events of one journey only. */
export const soleJourneyOfScope = (): string | undefined => {
  const scope = scopes.getStore();
  if (!scope || scope.byRequestId.size !== 1) return undefined;
  return scope.byRequestId.keys().next().value;
};
