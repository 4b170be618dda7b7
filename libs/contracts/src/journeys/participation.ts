import { StepRetryRequestedV1 } from '../assurance/step-retry-requested.v1';
import { CompensationRequestedV1, JourneyCancelRequestedV1 } from '../compensation';
import { ApprovalDecidedV1, ApprovalEscalatedV1, ApprovalReminderV1, ApprovalRequestedV1 } from '../intake/approvals.v1';
import { JourneyRequestedV1 } from '../intake/journey-requested.v1';
import { JOURNEY_DEFINITIONS, startTopicsOf, stepEventTopics } from './journey-catalogue';
import type { JourneyDefinition } from './journey-definition';

/*
 * Who consumes what follows from the journey definitions: one source of truth. A step's owner
 * hears of journeys, retries and compensations, and of the predecessors other owners verify;
 * assurance follows every step event the definitions name, plus the journey's lifecycle and
 * people's decisions. The services subscribe with these lists, and `participationProblems`
 * checks a set of subscriptions against the definitions.
 */

/** What every step owner consumes, whatever its steps. */
export const STEP_OWNER_TOPICS: readonly string[] = [JourneyRequestedV1.topic, StepRetryRequestedV1.topic, CompensationRequestedV1.topic];

/** What assurance follows besides the step events: the journey's lifecycle and people's decisions. */
export const JOURNEY_LIFECYCLE_TOPICS: readonly string[] = [
  JourneyRequestedV1.topic,
  JourneyCancelRequestedV1.topic,
  ApprovalRequestedV1.topic,
  ApprovalReminderV1.topic,
  ApprovalEscalatedV1.topic,
  ApprovalDecidedV1.topic,
];

/** The topics a step owner subscribes to. */
export const ownerTopics = (owner: string, definitions: readonly JourneyDefinition[] = JOURNEY_DEFINITIONS): string[] => [
  ...new Set([...STEP_OWNER_TOPICS, ...startTopicsOf(owner, definitions)]),
];

/** The topics assurance subscribes to. */
export const assuranceTopics = (definitions: readonly JourneyDefinition[] = JOURNEY_DEFINITIONS): string[] => [
  ...new Set([...JOURNEY_LIFECYCLE_TOPICS, ...stepEventTopics(definitions)]),
];

/** What one service subscribes to, and which step owner it is (if any). */
export interface Participant {
  readonly service: string;
  readonly owner?: string;
  readonly topics: readonly string[];
}

/**
 * Checks subscriptions against the definitions; each problem names the definition, the step and
 * the topic. A step's events must reach assurance; its start must reach its owner (journey
 * requests, and the completing event of each predecessor another owner runs); retries and
 * compensations must reach its owner; a step-event topic someone consumes must be named by some
 * definition (`extraTopics`: topics consumed for other reasons, such as upstream feeds and verdicts).
 */
export const participationProblems = (definitions: readonly JourneyDefinition[], participants: readonly Participant[], extraTopics: readonly string[] = []): string[] => {
  const problems: string[] = [];
  const assurance = participants.find((p) => p.service === 'assurance');
  const named = new Set([...stepEventTopics(definitions), ...JOURNEY_LIFECYCLE_TOPICS, ...STEP_OWNER_TOPICS, ...extraTopics]);
  for (const definition of definitions) {
    const where = `${definition.type} v${definition.version}`;
    for (const step of definition.steps) {
      const owner = participants.find((p) => p.owner === step.owner);
      if (!owner) {
        problems.push(`${where}: step ${step.name} is owned by ${step.owner}, and no service is that owner`);
        continue;
      }
      for (const contract of [step.completedBy, step.failedBy, ...(step.compensatedBy ? [step.compensatedBy] : [])]) {
        if (!assurance?.topics.includes(contract.topic)) problems.push(`${where}: step ${step.name}'s ${contract.topic} is not consumed by assurance`);
      }
      for (const topic of STEP_OWNER_TOPICS) if (!owner.topics.includes(topic)) problems.push(`${where}: step ${step.name}'s owner ${owner.service} does not consume ${topic}`);
      for (const name of step.after) {
        const before = definition.steps.find((s) => s.name === name);
        if (before && before.owner !== step.owner && !owner.topics.includes(before.completedBy.topic)) {
          problems.push(`${where}: step ${step.name} starts when ${name} is verified, but its owner ${owner.service} does not consume ${before.completedBy.topic}`);
        }
      }
    }
  }
  for (const participant of participants) {
    for (const topic of participant.topics) if (!named.has(topic)) problems.push(`${participant.service} consumes ${topic}, which no definition names`);
  }
  return problems;
};
