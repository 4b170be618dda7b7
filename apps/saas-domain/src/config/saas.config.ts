import { authConfigShape, checkAuthSettings } from '@closeloop/auth';
import { checkKafkaSecurity, checkSimulatorSettings, commonConfigShape, portSetting, simulatorConfigShape } from '@closeloop/config';
import { z } from 'zod';

import { checkScimTargetsForProduction, scimTargetsConfigShape } from './scim-targets.config';

export const SaasConfigSchema = z
  .object({ ...commonConfigShape, ...authConfigShape, ...simulatorConfigShape, ...scimTargetsConfigShape, PORT: portSetting(3002) })
  .superRefine(checkAuthSettings)
  .superRefine(checkKafkaSecurity)
  .superRefine(checkSimulatorSettings('SaaS admin tools (SCIM 2.0)', { simulatorOnly: false }))
  .superRefine(checkScimTargetsForProduction);
export type SaasConfig = z.infer<typeof SaasConfigSchema>;
