import type { AuthConfig } from '@closeloop/auth';
import type { CommonConfig } from '@closeloop/config';
import type { MigrationInterface } from 'typeorm';

/** What the runtime needs to know about a service. */
export interface ServiceDescriptor {
  /** e.g. `identity-domain`: the producer name on events and the Kafka client id. */
  readonly name: string;
  /** The PostgreSQL schema the service owns. */
  readonly schema: string;
  /** The Kafka consumer group; one per service, shared by its instances. */
  readonly consumerGroup: string;
  readonly migrations: ReadonlyArray<new () => MigrationInterface>;
  readonly entities?: ReadonlyArray<new (...args: never[]) => object>;
  /**
   * The service's journey table, if it keeps the trace each journey started in (`request_id`,
   * `trace_parent`): events that no message caused continue that trace (see `Outbox`).
   */
  readonly journeyTraceTable?: string;
}

export const SERVICE = Symbol('SERVICE');
export const COMMON_CONFIG = Symbol('COMMON_CONFIG');
export const PRODUCER = Symbol('PRODUCER');

/** What every service's configuration holds: the shared settings and how it authenticates callers. */
export type RuntimeConfig = CommonConfig & AuthConfig;
