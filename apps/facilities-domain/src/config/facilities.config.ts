import { authConfigShape, checkAuthSettings } from '@closeloop/auth';
import { checkKafkaSecurity, commonConfigShape, portSetting } from '@closeloop/config';
import { z } from 'zod';

/**
 * facilities-domain's settings. PORT defaults to its port in deploy/services.json. A connector to a
 * target system adds its settings here: with a built-in simulator, `simulatorConfigShape` and
 * `checkSimulatorSettings(<target>, { simulatorOnly })` (and `simulators: true` in
 * deploy/services.json), as apps/device-domain/src/config/device.config.ts does.
 */
export const FacilitiesConfigSchema = z
  .object({ ...commonConfigShape, ...authConfigShape, PORT: portSetting(3005) })
  .superRefine(checkAuthSettings)
  .superRefine(checkKafkaSecurity);
export type FacilitiesConfig = z.infer<typeof FacilitiesConfigSchema>;
