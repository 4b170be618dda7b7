import { authConfigShape, checkAuthSettings } from '@closeloop/auth';
import { checkKafkaSecurity, checkSimulatorSettings, commonConfigShape, portSetting, simulatorConfigShape } from '@closeloop/config';
import { z } from 'zod';

export const IdentityConfigSchema = z
  .object({ ...commonConfigShape, ...authConfigShape, ...simulatorConfigShape, PORT: portSetting(3001) })
  .superRefine(checkAuthSettings)
  .superRefine(checkKafkaSecurity)
  .superRefine(checkSimulatorSettings('identity directory', { simulatorOnly: true }));
export type IdentityConfig = z.infer<typeof IdentityConfigSchema>;
