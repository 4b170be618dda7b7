import { z } from 'zod';

import { commonConfigShape } from './common.config';
import { checkKafkaSecurity, kafkaClientSecurity, kafkaSecurityProblems } from './kafka-security.config';
import { ConfigError, parseConfig } from './load-config';

const schema = z.object({ ...commonConfigShape }).superRefine(checkKafkaSecurity);
const scram = { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'closeloop-identity-domain', KAFKA_SASL_PASSWORD: 'pw-Secret-4711' };

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    parseConfig(schema, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
};

describe('Kafka security settings', () => {
  it('default to a plain connection without SASL (the local broker)', () => {
    const config = parseConfig(schema, { NODE_ENV: 'development' });
    expect(config).toMatchObject({ KAFKA_SASL_MECHANISM: 'none', KAFKA_SSL: false, KAFKA_SSL_REJECT_UNAUTHORIZED: true });
    expect(kafkaClientSecurity(config)).toEqual({});
  });

  it('become the client settings: SCRAM credentials, TLS with a CA file', () => {
    const config = parseConfig(schema, { NODE_ENV: 'production', ...scram, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/etc/closeloop/kafka-ca/ca.crt' });
    expect(kafkaClientSecurity(config)).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'closeloop-identity-domain', password: 'pw-Secret-4711' },
      ssl: { rejectUnauthorized: true, caFile: '/etc/closeloop/kafka-ca/ca.crt' },
    });
  });

  it('name each missing SASL key, and never echo the password', () => {
    expect(problemsOf({ NODE_ENV: 'development', KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toEqual([
      expect.stringMatching(/^KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM=scram-sha-512/),
      expect.stringMatching(/^KAFKA_SASL_PASSWORD: required with KAFKA_SASL_MECHANISM=scram-sha-512/),
    ]);
    const problems = problemsOf({ NODE_ENV: 'development', KAFKA_SASL_PASSWORD: 'pw-Secret-4711' });
    expect(problems).toEqual([expect.stringMatching(/^KAFKA_SASL_MECHANISM: is none, but KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set/)]);
    expect(problemsOf({ NODE_ENV: 'development', ...scram, KAFKA_SASL_PASSWORD: '' })).toEqual([expect.stringMatching(/^KAFKA_SASL_PASSWORD: must not be empty \(value hidden\)/)]);
    expect(problems.join('\n')).not.toContain('pw-Secret-4711');
  });

  it('refuse a mechanism or a switch they do not know', () => {
    expect(problemsOf({ NODE_ENV: 'development', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SSL: 'yes' })).toEqual([
      expect.stringMatching(/^KAFKA_SASL_MECHANISM: must be scram-sha-512, scram-sha-256 or none \(got "plain"\)/),
      expect.stringMatching(/^KAFKA_SSL: must be true or false \(got "yes"\)/),
    ]);
  });

  it('refuse a CA file without TLS', () => {
    expect(problemsOf({ NODE_ENV: 'development', KAFKA_SSL_CA_FILE: '/ca.crt' })).toEqual([expect.stringMatching(/^KAFKA_SSL_CA_FILE: is set, but KAFKA_SSL is not true/)]);
  });

  it('require SASL and verified TLS with NODE_ENV=production', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).map((p) => p.split(':')[0])).toEqual(['KAFKA_SASL_MECHANISM', 'KAFKA_SSL']);
    expect(problemsOf({ NODE_ENV: 'production', ...scram, KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' })).toEqual([
      expect.stringMatching(/^KAFKA_SSL_REJECT_UNAUTHORIZED: must be true with NODE_ENV=production/),
    ]);
    expect(problemsOf({ NODE_ENV: 'production', ...scram, KAFKA_SSL: 'true' })).toEqual([]);
    expect(problemsOf({ NODE_ENV: 'development', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' })).toEqual([]);
  });

  it('refuse incomplete settings also where no schema checked them', () => {
    const config = parseConfig(z.object({ ...commonConfigShape }), { NODE_ENV: 'test', KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u' });
    expect(() => kafkaClientSecurity(config)).toThrow(ConfigError);
    expect(kafkaSecurityProblems(config)).toEqual([{ key: 'KAFKA_SASL_PASSWORD', message: expect.stringContaining('required') }]);
  });
});
