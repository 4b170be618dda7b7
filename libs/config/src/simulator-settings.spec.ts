import { z } from 'zod';

import { checkSimulatorSettings, commonConfigShape, simulatorConfigShape } from './common.config';
import { ConfigError, parseConfig } from './load-config';

const only = z.object({ ...commonConfigShape, ...simulatorConfigShape }).superRefine(checkSimulatorSettings('identity directory', { simulatorOnly: true }));
const optional = z.object({ ...commonConfigShape, ...simulatorConfigShape }).superRefine(checkSimulatorSettings('SaaS admin tools', { simulatorOnly: false }));

const problemsOf = (schema: z.ZodObject | z.ZodType, env: Record<string, string>): string[] => {
  try {
    parseConfig(schema as z.ZodObject, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
};

describe('simulators never in production', () => {
  it('refuses a simulator with NODE_ENV=production, naming the target and that no real connector exists', () => {
    expect(problemsOf(only, { NODE_ENV: 'production' })).toEqual([expect.stringContaining('SIMULATOR: the built-in simulator of identity directory is not allowed with NODE_ENV=production, and this release has no connector to a real identity directory')]);
    expect(problemsOf(optional, { NODE_ENV: 'production' })).toEqual([expect.stringContaining('set SIMULATOR=off and configure the real SaaS admin tools')]);
  });

  it('refuses fault switches with NODE_ENV=production, and takes them in development and tests', () => {
    expect(problemsOf(optional, { NODE_ENV: 'production', SIMULATOR: 'off', SIMULATOR_FAULTS: '{"latencyMs":5}' })).toEqual([expect.stringContaining('SIMULATOR_FAULTS: fault switches are not allowed with NODE_ENV=production')]);
    expect(problemsOf(optional, { NODE_ENV: 'test', SIMULATOR_FAULTS: '{"latencyMs":5}' })).toEqual([]);
    expect(problemsOf(optional, { NODE_ENV: 'production', SIMULATOR: 'off' })).toEqual([]);
  });

  it('does not let a service without another connector turn its simulator off', () => {
    expect(problemsOf(only, { NODE_ENV: 'development', SIMULATOR: 'off' })).toEqual([expect.stringContaining('this release has no connector to a real identity directory')]);
    expect(problemsOf(only, { NODE_ENV: 'development' })).toEqual([]);
  });
});
