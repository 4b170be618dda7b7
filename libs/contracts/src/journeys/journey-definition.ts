import { z } from 'zod';

import { type EventContract, type JourneyType, JourneyTypeSchema } from '../envelope';

/** How often a step is tried, and how long to wait between tries (exponential, with jitter). */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  readonly maxAttempts: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** 0 to 1: the share of each backoff that is random. */
  readonly jitter: number;
}

/**
 * A journey definition is data: its steps, the event contract that completes (or fails, or
 * confirms the undo of) each, the deadline of each attempt, the retry policy, where an exhausted
 * step escalates to, and the verification signals that make the journey done. A journey keeps
 * the definition version it started with: the definition travels in its `journey.requested`.
 *
 * The event contracts are code (libs/contracts, shared by producer and consumers); a definition
 * only references them. As a document (JSON, what an owning team registers at intake) it names
 * them by topic; {@link parseJourneyDefinition} resolves and checks it.
 */
export interface JourneyStepDefinition {
  readonly name: string;
  /** The service that owns the step (the first segment of its contracts' topics). */
  readonly owner: string;
  /** The event that completes the step with a verified signal. */
  readonly completedBy: EventContract;
  /** The event that reports that the step failed. */
  readonly failedBy: EventContract;
  /** Steps whose verification must come first; the step's deadline starts when they are verified. */
  readonly after: readonly string[];
  /** The SLA of one attempt: the step is stalled when no outcome arrived by then. */
  readonly deadlineMs: number;
  readonly retry: RetryPolicy;
  /** The human work queue an exhausted step goes to. */
  readonly escalateTo: string;
  /**
   * The event that confirms that the owner undid the step; null for a step with no automatic
   * undo (a closed ITSM record is not reopened by a machine): compensating it goes straight to
   * the step's escalation queue, and a person records the undo.
   */
  readonly compensatedBy: EventContract | null;
}

export interface JourneyDefinition<T extends JourneyType = JourneyType> {
  readonly type: T;
  readonly version: number;
  readonly description?: string | undefined;
  readonly steps: readonly JourneyStepDefinition[];
  /** The verification signals that together make the journey done. */
  readonly doneWhen: readonly EventContract[];
}

/** The wait before attempt `attempt + 1`: exponential from `backoffMs`, capped, with jitter. */
export const retryDelayMs = (policy: RetryPolicy, attempt: number, random: number): number => {
  const exponential = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (1 - policy.jitter + policy.jitter * random));
};

const name = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes, starting with a letter');
const topic = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z-]+\.[a-z-]+\.[a-z-]+\.v\d+$/, 'a topic <owner>.<aggregate>.<event>.v<major>');

export const RetryPolicySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(20),
    backoffMs: z.number().int().min(0).max(3_600_000),
    maxBackoffMs: z.number().int().min(0).max(86_400_000),
    jitter: z.number().min(0).max(1),
  })
  .strict();

/** A definition as its owning team writes and registers it: steps name their contracts by topic. */
export const JourneyDefinitionDocumentSchema = z
  .object({
    type: JourneyTypeSchema,
    version: z.number().int().positive().max(1_000_000),
    description: z.string().trim().min(1).max(500).optional(),
    steps: z
      .array(
        z
          .object({
            name,
            owner: name,
            completedBy: topic,
            failedBy: topic,
            compensatedBy: topic.nullable(),
            after: z.array(name).max(32).default([]),
            deadlineMs: z.number().int().min(1000).max(7 * 86_400_000),
            retry: RetryPolicySchema,
            escalateTo: name,
          })
          .strict(),
      )
      .min(1)
      .max(32),
    doneWhen: z.array(topic).min(1).max(32),
  })
  .strict();
export type JourneyDefinitionDocument = z.infer<typeof JourneyDefinitionDocumentSchema>;

/** The document of a definition: what is registered, stored and carried in `journey.requested`. */
export const definitionDocument = (definition: JourneyDefinition): JourneyDefinitionDocument => ({
  type: definition.type,
  version: definition.version,
  ...(definition.description ? { description: definition.description } : {}),
  steps: definition.steps.map((s) => ({
    name: s.name,
    owner: s.owner,
    completedBy: s.completedBy.topic,
    failedBy: s.failedBy.topic,
    compensatedBy: s.compensatedBy?.topic ?? null,
    after: [...s.after],
    deadlineMs: s.deadlineMs,
    retry: { ...s.retry },
    escalateTo: s.escalateTo,
  })),
  doneWhen: definition.doneWhen.map((c) => c.topic),
});

export type DefinitionParse = { readonly ok: true; readonly definition: JourneyDefinition } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Checks a definition document and resolves its topics against the event contracts the caller
 * knows. Refused, with every problem named: an unknown topic; a contract of another owner than
 * the step's (a step's events are its owner's); a step named twice; `after` naming a missing
 * step or making a cycle; a done-signal that completes no step.
 */
export const parseJourneyDefinition = (document: unknown, contracts: readonly EventContract[]): DefinitionParse => {
  const parsed = JourneyDefinitionDocumentSchema.safeParse(document);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`) };
  const doc = parsed.data;
  const problems: string[] = [];
  const byTopic = new Map(contracts.map((c) => [c.topic, c]));
  const resolve = (where: string, value: string, owner?: string): EventContract | undefined => {
    const contract = byTopic.get(value);
    if (!contract) problems.push(`${where}: no event contract has the topic ${value}`);
    else if (owner !== undefined && contract.owner !== owner) problems.push(`${where}: ${value} is an event of ${contract.owner}, not of the step's owner ${owner}`);
    return contract;
  };
  const names = doc.steps.map((s) => s.name);
  for (const [i, n] of names.entries()) if (names.indexOf(n) !== i) problems.push(`steps.${i}.name: the step ${n} is named twice`);
  const steps = doc.steps.map((s, i) => {
    for (const dependency of s.after) {
      if (!names.includes(dependency)) problems.push(`steps.${i}.after: no step is named ${dependency}`);
      if (dependency === s.name) problems.push(`steps.${i}.after: the step ${s.name} cannot come after itself`);
    }
    if (s.retry.maxBackoffMs < s.retry.backoffMs) problems.push(`steps.${i}.retry: maxBackoffMs is below backoffMs`);
    return {
      ...s,
      completedBy: resolve(`steps.${i}.completedBy`, s.completedBy, s.owner),
      failedBy: resolve(`steps.${i}.failedBy`, s.failedBy, s.owner),
      compensatedBy: s.compensatedBy === null ? null : resolve(`steps.${i}.compensatedBy`, s.compensatedBy, s.owner),
    };
  });
  if (problems.length === 0 && hasCycle(doc.steps)) problems.push('steps: the `after` relations make a cycle, so some step could never start');
  const completing = new Set(doc.steps.map((s) => s.completedBy));
  const doneWhen = doc.doneWhen.map((t, i) => {
    if (!completing.has(t)) problems.push(`doneWhen.${i}: ${t} completes no step of the definition`);
    return resolve(`doneWhen.${i}`, t);
  });
  if (new Set(doc.doneWhen).size !== doc.doneWhen.length) problems.push('doneWhen: a signal is named twice');
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    definition: {
      type: doc.type,
      version: doc.version,
      description: doc.description,
      steps: steps as JourneyStepDefinition[],
      doneWhen: doneWhen as EventContract[],
    },
  };
};

const hasCycle = (steps: ReadonlyArray<{ name: string; after: readonly string[] }>): boolean => {
  const after = new Map(steps.map((s) => [s.name, s.after]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string): boolean => {
    if (state.get(n) === 'done') return false;
    if (state.get(n) === 'visiting') return true;
    state.set(n, 'visiting');
    const cyclic = (after.get(n) ?? []).some(visit);
    state.set(n, 'done');
    return cyclic;
  };
  return steps.some((s) => visit(s.name));
};
