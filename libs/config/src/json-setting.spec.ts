import { z } from 'zod';

import { jsonSetting, simulatorConfigShape, TargetLimitsSchema } from './common.config';
import { ConfigError, parseConfig } from './load-config';

describe('jsonSetting', () => {
  const schema = z.object({ CONNECTOR_LIMITS: jsonSetting(TargetLimitsSchema, '{"ratePerSecond":5,"maxConcurrent":2,"timeoutMs":100}') });

  it('parses the default and a given value', () => {
    expect(parseConfig(schema, {}).CONNECTOR_LIMITS).toEqual({ ratePerSecond: 5, maxConcurrent: 2, timeoutMs: 100 });
    expect(parseConfig(schema, { CONNECTOR_LIMITS: '{"ratePerSecond":0.5,"maxConcurrent":1,"timeoutMs":3000}' }).CONNECTOR_LIMITS.ratePerSecond).toBe(0.5);
  });

  it('names the path of every bad field inside the JSON', () => {
    let caught: unknown;
    try {
      parseConfig(schema, { CONNECTOR_LIMITS: '{"ratePerSecond":0,"maxConcurrent":1.5,"timeoutMs":100,"extra":1}' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toContain('CONNECTOR_LIMITS: ratePerSecond: ');
    expect(problems).toContain('CONNECTOR_LIMITS: maxConcurrent: ');
    expect(problems).toContain('extra');
  });

  it('says when the value is not JSON', () => {
    expect(() => parseConfig(schema, { CONNECTOR_LIMITS: '{nope' })).toThrow('CONNECTOR_LIMITS: must be JSON');
  });

  it('never echoes the value of a setting that carries credentials', () => {
    const targets = z.object({ SAAS_SCIM_TARGETS: jsonSetting(z.record(z.string(), z.object({ token: z.string().min(40) })), '{}') });
    expect(() => parseConfig(targets, { SAAS_SCIM_TARGETS: '{"slack":{"token":"xoxp-short-secret"}}' })).toThrow(/value hidden/);
    expect(() => parseConfig(targets, { SAAS_SCIM_TARGETS: '{"slack":{"token":"xoxp-short-secret"}}' })).not.toThrow(/xoxp-short-secret/);
  });
});

describe('simulator fault switches', () => {
  const schema = z.object(simulatorConfigShape);
  it('default to no throttling and no outage', () => {
    expect(parseConfig(schema, {}).SIMULATOR_FAULTS).toMatchObject({ rateLimitedCalls: 0, unavailableCalls: 0, retryAfterSeconds: 1 });
  });
  it('take throttling and outage counts', () => {
    expect(parseConfig(schema, { SIMULATOR_FAULTS: '{"rateLimitedCalls":2,"unavailableCalls":1,"retryAfterSeconds":0}' }).SIMULATOR_FAULTS).toMatchObject({
      rateLimitedCalls: 2,
      unavailableCalls: 1,
      retryAfterSeconds: 0,
    });
  });
});
