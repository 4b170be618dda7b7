import { authConfigShape, checkAuthSettings } from '@closeloop/auth';
import { checkKafkaSecurity, checkSimulatorSettings, commonConfigShape, portSetting, simulatorConfigShape } from '@closeloop/config';
import { z } from 'zod';

export const DeviceConfigSchema = z
  .object({ ...commonConfigShape, ...authConfigShape, ...simulatorConfigShape, PORT: portSetting(3003) })
  .superRefine(checkAuthSettings)
  .superRefine(checkKafkaSecurity)
  .superRefine(checkSimulatorSettings('device management and ITSM', { simulatorOnly: true }));
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;
