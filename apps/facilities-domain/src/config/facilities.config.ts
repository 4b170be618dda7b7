import { authConfigShape, checkAuthSettings } from '@closeloop/auth';
import { checkKafkaSecurity, checkSimulatorSettings, commonConfigShape, portSetting, simulatorConfigShape } from '@closeloop/config';
import { z } from 'zod';

/**
 * facilities-domain's settings. PORT defaults to its port in deploy/services.json. Its target,
 * the physical access control system, is reached only through the built-in simulator in this
 * release (`simulators: true` in deploy/services.json): SIMULATOR cannot be turned off, and with
 * NODE_ENV=production the service refuses to start.
 */
export const FacilitiesConfigSchema = z
  .object({ ...commonConfigShape, ...authConfigShape, ...simulatorConfigShape, PORT: portSetting(3005) })
  .superRefine(checkAuthSettings)
  .superRefine(checkKafkaSecurity)
  .superRefine(checkSimulatorSettings('physical access control system', { simulatorOnly: true }));
export type FacilitiesConfig = z.infer<typeof FacilitiesConfigSchema>;
