import { parseConfig } from '@closeloop/config';
import { z } from 'zod';

import { authConfigShape, checkAuthSettings } from './auth.config';

const IntakeConfigSchema = z.object({ NODE_ENV: z.enum(['development', 'test', 'production']).default('development'), ...authConfigShape }).superRefine(checkAuthSettings);

const base = { AUTH_ISSUER: 'https://idp.acme.test/', AUTH_AUDIENCE: 'closeloop-intake' };
const problems = (env: Record<string, string>): string[] => {
  try {
    parseConfig(IntakeConfigSchema, env);
    return [];
  } catch (error) {
    return (error as { problems: string[] }).problems;
  }
};

describe('intake authentication settings', () => {
  it('needs an issuer, an audience and a key source', () => {
    expect(problems({}).map((p) => p.split(':')[0]).sort()).toEqual(['AUTH_AUDIENCE', 'AUTH_ISSUER']);
    expect(problems(base)).toEqual([expect.stringMatching(/^AUTH_JWKS_URL: set AUTH_JWKS_URL/)]);
    expect(problems({ ...base, AUTH_JWKS_URL: 'https://idp.acme.test/jwks', AUTH_JWKS_FILE: '/tmp/jwks.json' })).toEqual([expect.stringMatching(/^AUTH_JWKS_FILE: set AUTH_JWKS_URL or AUTH_JWKS_FILE, not both/)]);
  });

  it('takes a JWKS file in development and the defaults for claims and clock tolerance', () => {
    const config = parseConfig(IntakeConfigSchema, { ...base, AUTH_JWKS_FILE: '/tmp/jwks.json' });
    expect(config).toMatchObject({ AUTH_JWKS_FILE: '/tmp/jwks.json', AUTH_ROLES_CLAIM: 'roles', AUTH_GROUPS_CLAIM: 'groups', AUTH_CLOCK_TOLERANCE_S: 30 });
  });

  it('in production refuses a JWKS file and a plain-http JWKS URL', () => {
    expect(problems({ ...base, NODE_ENV: 'production', AUTH_JWKS_FILE: '/tmp/jwks.json' })).toEqual([expect.stringContaining('AUTH_JWKS_FILE: not allowed with NODE_ENV=production')]);
    expect(problems({ ...base, NODE_ENV: 'production', AUTH_JWKS_URL: 'http://idp.acme.test/jwks' })).toEqual([expect.stringContaining('AUTH_JWKS_URL: must be https with NODE_ENV=production')]);
    expect(problems({ ...base, NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.acme.test/jwks' })).toEqual([]);
  });
});
