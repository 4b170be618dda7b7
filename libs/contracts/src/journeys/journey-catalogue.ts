import type { JourneyType } from '../envelope';
import type { JourneyDefinition } from './journey-definition';
import { ACCESS_CHANGE_V1, DEVICE_REPLACEMENT_V1, SAAS_LICENSING_V1 } from './more-journeys';
import { NEW_HIRE_V1 } from './new-hire.journey';

const DEFINITIONS: readonly JourneyDefinition[] = [NEW_HIRE_V1, ACCESS_CHANGE_V1, DEVICE_REPLACEMENT_V1, SAAS_LICENSING_V1];

/** The definition new journeys of a type start with. */
export const currentDefinition = (type: JourneyType): JourneyDefinition | undefined =>
  DEFINITIONS.filter((d) => d.type === type).sort((a, b) => b.version - a.version)[0];

/** The exact definition a journey started with. */
export const findDefinition = (type: JourneyType, version: number): JourneyDefinition | undefined =>
  DEFINITIONS.find((d) => d.type === type && d.version === version);
