import { commonConfigShape, portSetting } from '@closeloop/config';
import { z } from 'zod';

export const IntakeConfigSchema = z.object({ ...commonConfigShape, PORT: portSetting(3000) });
export type IntakeConfig = z.infer<typeof IntakeConfigSchema>;
export const INTAKE_CONFIG = Symbol('INTAKE_CONFIG');
