import { ConfigError, parseConfig } from '@closeloop/config';

import { SaasConfigSchema } from './saas.config';
import { appsInUse, scimTargetFor } from './scim-targets.config';

/** What every service needs besides its own settings: an environment and how callers are authenticated. */
const BASE = { NODE_ENV: 'development', AUTH_ISSUER: 'https://idp.acme.test/', AUTH_AUDIENCE: 'closeloop', AUTH_JWKS_URL: 'https://idp.acme.test/jwks' };
const parse = (env: Record<string, string>) => parseConfig(SaasConfigSchema, { ...BASE, ...env });

const problemsOf = (env: Record<string, string>): string => {
  try {
    parse(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected a configuration error');
};

describe('SAAS_SCIM_TARGETS', () => {
  it('defaults to no targets: every app goes to the service’s own simulator', () => {
    const config = parse({});
    expect(config.SAAS_SCIM_TARGETS).toEqual({});
    expect(scimTargetFor(config.SAAS_SCIM_TARGETS, 'asana')).toBeNull();
    expect(config.SAAS_SCIM_SIMULATOR_TOKEN).toBe('closeloop-local-scim-simulator-token');
  });

  it('fills in limits and retries, and uses * with the app name for apps it does not name', () => {
    const { SAAS_SCIM_TARGETS: targets } = parse({
      SAAS_SCIM_TARGETS: JSON.stringify({
        slack: { baseUrl: 'https://api.slack.example/scim/v2/', token: 'xoxp-1', ratePerSecond: 5 },
        '*': { baseUrl: 'https://scim.example.com/{app}/v2', token: 't', maxConcurrent: 2 },
      }),
    });
    expect(scimTargetFor(targets, 'slack')).toEqual({
      baseUrl: 'https://api.slack.example/scim/v2',
      token: 'xoxp-1',
      ratePerSecond: 5,
      maxConcurrent: 4,
      timeoutMs: 10000,
      maxAttempts: 4,
      maxRetryAfterMs: 10000,
      backoffMs: 250,
      roleGroups: true,
    });
    expect(scimTargetFor(targets, 'asana')).toMatchObject({ baseUrl: 'https://scim.example.com/asana/v2', maxConcurrent: 2 });
  });

  it('names each bad field of each target, and never shows the value (it holds tokens)', () => {
    const problems = problemsOf({
      SAAS_SCIM_TARGETS: JSON.stringify({ slack: { baseUrl: 'ftp://x', token: 'secret-token-value', ratePerSecond: 0 }, Bad_Name: { baseUrl: 'https://x', token: 't' }, jira: { baseUrl: 'https://x' } }),
    });
    expect(problems).toContain('SAAS_SCIM_TARGETS: slack.baseUrl: must be an http(s) URL');
    expect(problems).toContain('SAAS_SCIM_TARGETS: slack.ratePerSecond: ');
    expect(problems).toContain('SAAS_SCIM_TARGETS: Bad_Name: keys are app names (lower-case letters, digits, dashes) or *');
    expect(problems).toContain('SAAS_SCIM_TARGETS: jira.token: ');
    expect(problems).toContain('(value hidden)');
    expect(problems).not.toContain('secret-token-value');
    expect(problemsOf({ SAAS_SCIM_TARGETS: 'not json' })).toBe('SAAS_SCIM_TARGETS: must be JSON (value hidden)');
  });

  it('wants a simulator token of some length', () => {
    expect(problemsOf({ SAAS_SCIM_SIMULATOR_TOKEN: 'short' })).toBe('SAAS_SCIM_SIMULATOR_TOKEN: at least 16 characters (value hidden)');
  });

  it('with NODE_ENV=production refuses the simulator, fault switches, plain http, the published token, and a missing * target', () => {
    const production = { NODE_ENV: 'production' };
    expect(problemsOf(production)).toContain('SIMULATOR: the built-in simulator of SaaS admin tools (SCIM 2.0) is not allowed with NODE_ENV=production');
    expect(problemsOf({ ...production, SIMULATOR: 'off', SIMULATOR_FAULTS: '{"failProvisioning":true}' })).toContain('SIMULATOR_FAULTS: fault switches are not allowed with NODE_ENV=production');
    const targets = problemsOf({
      ...production,
      SIMULATOR: 'off',
      SAAS_SCIM_TARGETS: JSON.stringify({ slack: { baseUrl: 'http://scim.acme.test/v2', token: 'closeloop-local-scim-simulator-token' } }),
    });
    expect(targets).toContain('a "*" target is required');
    expect(targets).toContain('slack.baseUrl: must be https with NODE_ENV=production');
    expect(targets).toContain("slack.token: the simulator's published development token is not allowed");
    const kafka = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'closeloop-saas-domain', KAFKA_SASL_PASSWORD: 'a-kafka-secret', KAFKA_SSL: 'true' };
    expect(() => parse({ ...production, ...kafka, SIMULATOR: 'off', SAAS_SCIM_TARGETS: JSON.stringify({ '*': { baseUrl: 'https://scim.acme.test/{app}/v2', token: 'a-real-secret' } }) })).not.toThrow();
  });

  it('in development runs the simulator unless told SIMULATOR=off', () => {
    expect(parse({}).SIMULATOR).toBe('on');
    expect(parse({ SIMULATOR: 'off' }).SIMULATOR).toBe('off');
  });

  it('finds only own entries: an app named like an Object property gets the * target or the simulator', () => {
    const { SAAS_SCIM_TARGETS: targets } = parse({ SAAS_SCIM_TARGETS: JSON.stringify({ '*': { baseUrl: 'https://scim.example.com/{app}/v2', token: 't' } }) });
    expect(scimTargetFor(targets, 'constructor')?.baseUrl).toBe('https://scim.example.com/constructor/v2');
    expect(scimTargetFor({}, 'constructor')).toBeNull();
    expect(scimTargetFor({}, 'hasOwnProperty')).toBeNull();
  });
});

describe('SAAS_APPS', () => {
  it('lists the apps to search besides the targets named: the named targets and SAAS_APPS, each once, never *', () => {
    expect(appsInUse(parse({}))).toEqual([]);
    const config = parse({
      SAAS_APPS: ' miro, asana,,slack ',
      SAAS_SCIM_TARGETS: JSON.stringify({ slack: { baseUrl: 'https://api.slack.example/scim/v2', token: 't' }, '*': { baseUrl: 'https://scim.example.com/{app}/v2', token: 't' } }),
    });
    expect(config.SAAS_APPS).toEqual(['miro', 'asana', 'slack']);
    expect(appsInUse(config)).toEqual(['asana', 'miro', 'slack']);
  });

  it('names a bad app name', () => {
    expect(problemsOf({ SAAS_APPS: 'asana,Bad App' })).toContain('SAAS_APPS: app names are lower-case letters, digits and dashes, comma-separated');
  });
});
