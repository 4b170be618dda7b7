import { commonConfigShape, portSetting } from '@closeloop/config';
import { z } from 'zod';

export const AssuranceConfigSchema = z.object({ ...commonConfigShape, PORT: portSetting(3004) });
export type AssuranceConfig = z.infer<typeof AssuranceConfigSchema>;
