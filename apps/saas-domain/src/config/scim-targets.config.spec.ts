import { ConfigError, parseConfig } from '@closeloop/config';

import { SaasConfigSchema } from './saas.config';
import { scimTargetFor } from './scim-targets.config';

const problemsOf = (env: Record<string, string>): string => {
  try {
    parseConfig(SaasConfigSchema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  throw new Error('expected a configuration error');
};

describe('SAAS_SCIM_TARGETS', () => {
  it('defaults to no targets: every app goes to the service’s own simulator', () => {
    const config = parseConfig(SaasConfigSchema, {});
    expect(config.SAAS_SCIM_TARGETS).toEqual({});
    expect(scimTargetFor(config.SAAS_SCIM_TARGETS, 'asana')).toBeNull();
    expect(config.SAAS_SCIM_SIMULATOR_TOKEN).toBe('closeloop-local-scim-simulator-token');
  });

  it('fills in limits and retries, and uses * with the app name for apps it does not name', () => {
    const { SAAS_SCIM_TARGETS: targets } = parseConfig(SaasConfigSchema, {
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
});
