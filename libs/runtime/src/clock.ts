import { randomUUID } from 'node:crypto';

/** Time and ids come in from outside, so domain rules stay pure and testable. */
export interface Clock {
  now(): Date;
}
export interface IdGenerator {
  next(): string;
}

export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');

export const systemClock: Clock = { now: () => new Date() };
export const uuidGenerator: IdGenerator = { next: () => randomUUID() };
