import { z } from 'zod';

/** Upstream HR and ITSM systems (README, "Upstream systems"). */
export const upstreamConfigShape = {
  /** The mapping of job profiles and catalogue items to journeys (relative to the working directory). */
  UPSTREAM_MAPPINGS_FILE: z.string().min(1).default('apps/intake/upstream/upstream-mappings.yaml'),
};
