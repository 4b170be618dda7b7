import { commonConfigShape, portSetting, simulatorConfigShape } from '@closeloop/config';
import { z } from 'zod';

import { scimTargetsConfigShape } from './scim-targets.config';

export const SaasConfigSchema = z.object({ ...commonConfigShape, ...simulatorConfigShape, ...scimTargetsConfigShape, PORT: portSetting(3002) });
export type SaasConfig = z.infer<typeof SaasConfigSchema>;
