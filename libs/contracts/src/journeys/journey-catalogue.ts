import type { JourneyType } from '../envelope';
import { EVENT_CONTRACTS } from '../topics';
import { type JourneyDefinition, type JourneyDefinitionDocument, parseJourneyDefinition } from './journey-definition';
import { ACCESS_CHANGE_V1, DEVICE_REPLACEMENT_V1, SAAS_LICENSING_V1 } from './more-journeys';
import { NEW_HIRE_V1, NEW_HIRE_V2 } from './new-hire.journey';
import { OFFBOARDING_V1 } from './offboarding.journey';

/**
 * The journey definitions shipped with the contracts: intake registers (and, for a type with no
 * active version, activates) them at start-up; later versions are registered as data through
 * intake's definitions API. They are also what a request from before definitions travelled in
 * `journey.requested` is read by.
 */
export const JOURNEY_DEFINITIONS: readonly JourneyDefinition[] = [NEW_HIRE_V1, NEW_HIRE_V2, ACCESS_CHANGE_V1, DEVICE_REPLACEMENT_V1, SAAS_LICENSING_V1, OFFBOARDING_V1];

/** The first shipped definition of a type: what a fresh registry activates, and what an event that overtook its journey's request is read by until a request was seen. */
export const currentDefinition = (type: JourneyType): JourneyDefinition | undefined =>
  JOURNEY_DEFINITIONS.filter((d) => d.type === type).sort((a, b) => a.version - b.version)[0];

/** A shipped definition. */
export const findDefinition = (type: JourneyType, version: number): JourneyDefinition | undefined =>
  JOURNEY_DEFINITIONS.find((d) => d.type === type && d.version === version);

/** What a journey request says about its definition. */
export interface DefinitionReference {
  readonly type: string;
  readonly definitionVersion: number;
  readonly definition?: JourneyDefinitionDocument | undefined;
}

const parsed = new Map<string, JourneyDefinition | null>();
const PARSED_LIMIT = 256;

/**
 * The definition a journey runs by: the document its request carries (checked against the event
 * contracts, and it must be of the request's type and version), or for a request from before
 * definitions travelled with it, the shipped definition of its version. Undefined when neither
 * holds: nobody can close the loop on such a journey.
 */
export const definitionOfRequest = (request: DefinitionReference): JourneyDefinition | undefined => {
  if (!request.definition) return findDefinition(request.type as JourneyType, request.definitionVersion);
  // Intake writes every document with definitionDocument(), in one key order, so its plain JSON
  // is a stable key (and several times cheaper than the canonical form, on every journey event).
  const key = JSON.stringify(request.definition);
  let definition = parsed.get(key);
  if (definition === undefined) {
    const result = parseJourneyDefinition(request.definition, EVENT_CONTRACTS);
    definition = result.ok ? result.definition : null;
    if (parsed.size >= PARSED_LIMIT) parsed.delete(parsed.keys().next().value as string);
    parsed.set(key, definition);
  }
  if (!definition || definition.type !== request.type || definition.version !== request.definitionVersion) return undefined;
  return definition;
};

/** Every topic that completes, fails or confirms the undo of a step of a shipped definition. */
export const stepEventTopics = (definitions: readonly JourneyDefinition[] = JOURNEY_DEFINITIONS): string[] => [
  ...new Set(definitions.flatMap((d) => d.steps.flatMap((s) => [s.completedBy.topic, s.failedBy.topic, ...(s.compensatedBy ? [s.compensatedBy.topic] : [])]))),
];

/**
 * What a step's owner listens to in order to start it: `journey.requested` for a step with no
 * predecessor of another owner, and the completing event of each predecessor another owner runs.
 */
export const startTopicsOf = (owner: string, definitions: readonly JourneyDefinition[] = JOURNEY_DEFINITIONS): string[] => [
  ...new Set(
    definitions.flatMap((d) =>
      d.steps
        .filter((s) => s.owner === owner)
        .flatMap((s) => s.after.map((name) => d.steps.find((p) => p.name === name)).filter((p) => p !== undefined && p.owner !== owner).map((p) => p!.completedBy.topic)),
    ),
  ),
];
