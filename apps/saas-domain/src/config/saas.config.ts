import { commonConfigShape, portSetting, simulatorConfigShape } from '@closeloop/config';
import { z } from 'zod';

export const SaasConfigSchema = z.object({ ...commonConfigShape, ...simulatorConfigShape, PORT: portSetting(3002) });
export type SaasConfig = z.infer<typeof SaasConfigSchema>;
