import { commonConfigShape, portSetting, simulatorConfigShape } from '@closeloop/config';
import { z } from 'zod';

export const IdentityConfigSchema = z.object({ ...commonConfigShape, ...simulatorConfigShape, PORT: portSetting(3001) });
export type IdentityConfig = z.infer<typeof IdentityConfigSchema>;
