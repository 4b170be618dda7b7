import { commonConfigShape, portSetting, simulatorConfigShape } from '@closeloop/config';
import { z } from 'zod';

export const DeviceConfigSchema = z.object({ ...commonConfigShape, ...simulatorConfigShape, PORT: portSetting(3003) });
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;
