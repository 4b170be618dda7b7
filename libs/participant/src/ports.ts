import type { InboxPort, OutboxPort } from '@closeloop/messaging';
import type { EntityManager } from 'typeorm';

/*
 * What a step service needs around its rules. TypeORM's DataSource and the messaging Inbox and
 * Outbox satisfy these in a service; the in-memory fakes (`@closeloop/participant/testing`)
 * satisfy them in unit tests.
 */

export type { InboxPort, OutboxPort };

/** Runs work in one database transaction: all of it is committed, or none. `DataSource` is one. */
export interface TransactionRunner {
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T>;
}

/** Time comes in from outside, so rules stay testable (`@closeloop/runtime`'s CLOCK is one). */
export interface Clock {
  now(): Date;
}

/** Event ids come in from outside (`@closeloop/runtime`'s ID_GENERATOR is one). */
export interface IdGenerator {
  next(): string;
}

/**
 * The ports every step service shares: its transactions, inbox, outbox, clock and ids. An
 * abstract class only so that Nest injects it by type (`ParticipantModule` provides it); any
 * object of this shape is one, the in-memory ports of a unit test too.
 */
export abstract class ParticipantPorts {
  abstract readonly transactions: TransactionRunner;
  abstract readonly inbox: InboxPort;
  abstract readonly outbox: OutboxPort;
  abstract readonly clock: Clock;
  abstract readonly ids: IdGenerator;
}

/**
 * A step's records, one per journey: `lock` creates the record of a journey seen for the first
 * time (pending) and locks every one asked for until the transaction ends, so a step and its
 * compensation never run side by side for one journey. `V` is what the step reads of a record.
 */
export interface JourneyRecords<K extends { readonly requestId: string }, V> {
  lock(tx: EntityManager, keys: readonly K[]): Promise<Map<string, V>>;
}

/** Where a step service logs (the shared pino logger is one). */
export interface StepLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}
