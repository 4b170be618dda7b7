import { z } from 'zod';

import { ConfigError } from './load-config';

/** `true` or `false`, nothing else: a typo in a security switch must not silently mean "off". */
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true');

/**
 * How every Kafka client of a service authenticates and protects its connection (see
 * docs/security-kafka.md). The defaults fit the local plain broker of tools/kafka only; with
 * `NODE_ENV=production`, `checkKafkaSecurity` requires SASL and TLS.
 *
 * - `KAFKA_SASL_MECHANISM`: `scram-sha-512` (what the Strimzi `KafkaUser`s and the compose
 *   broker use), `scram-sha-256`, or `none`.
 * - `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD`: the service's Kafka user; required with a
 *   mechanism. The password is never echoed (load-config hides keys matching PASSWORD).
 * - `KAFKA_SSL`: `true` connects with TLS.
 * - `KAFKA_SSL_CA_FILE`: a PEM bundle of the CAs that sign the brokers' certificates (Strimzi:
 *   `ca.crt` of the `<cluster>-cluster-ca-cert` Secret); the system's CAs when absent.
 * - `KAFKA_SSL_REJECT_UNAUTHORIZED`: `true` (the default) refuses a broker certificate that
 *   does not verify.
 */
export const kafkaSecurityConfigShape = {
  KAFKA_SASL_MECHANISM: z.enum(['none', 'scram-sha-512', 'scram-sha-256'], { error: 'must be scram-sha-512, scram-sha-256 or none' }).default('none'),
  KAFKA_SASL_USERNAME: z.string().trim().min(1, 'must not be empty').optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1, 'must not be empty').optional(),
  KAFKA_SSL: flag(false),
  KAFKA_SSL_CA_FILE: z.string().trim().min(1, 'must not be empty').optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: flag(true),
};

export type KafkaSecurityConfig = z.infer<z.ZodObject<typeof kafkaSecurityConfigShape>>;

/** The settings `kafkaSecurityProblems` reads: the parsed Kafka security settings and NODE_ENV. */
export type KafkaSecurityCheckInput = KafkaSecurityConfig & { readonly NODE_ENV?: string | undefined };

export interface KafkaSecurityProblem {
  readonly key: keyof KafkaSecurityConfig;
  readonly message: string;
}

/**
 * What is wrong with the Kafka security settings, each naming its key (never a value):
 * incomplete or contradictory settings always; with `NODE_ENV=production` also a connection
 * without SASL or without TLS, or with TLS that does not verify the broker.
 */
export const kafkaSecurityProblems = (config: KafkaSecurityCheckInput): KafkaSecurityProblem[] => {
  const problems: KafkaSecurityProblem[] = [];
  const problem = (key: keyof KafkaSecurityConfig, message: string) => problems.push({ key, message });
  const mechanism = config.KAFKA_SASL_MECHANISM;
  if (mechanism !== 'none') {
    if (config.KAFKA_SASL_USERNAME === undefined) problem('KAFKA_SASL_USERNAME', `required with KAFKA_SASL_MECHANISM=${mechanism}: the service's Kafka user`);
    if (config.KAFKA_SASL_PASSWORD === undefined) problem('KAFKA_SASL_PASSWORD', `required with KAFKA_SASL_MECHANISM=${mechanism}: the password of KAFKA_SASL_USERNAME`);
  } else if (config.KAFKA_SASL_USERNAME !== undefined || config.KAFKA_SASL_PASSWORD !== undefined) {
    problem('KAFKA_SASL_MECHANISM', 'is none, but KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set: set the mechanism (scram-sha-512) or remove them');
  }
  if (!config.KAFKA_SSL && config.KAFKA_SSL_CA_FILE !== undefined) {
    problem('KAFKA_SSL_CA_FILE', 'is set, but KAFKA_SSL is not true: the CA bundle is used for TLS only');
  }
  if (config.NODE_ENV === 'production') {
    if (mechanism === 'none') problem('KAFKA_SASL_MECHANISM', 'must be scram-sha-512 (or scram-sha-256) with NODE_ENV=production: the broker must know which service connects');
    if (!config.KAFKA_SSL) problem('KAFKA_SSL', 'must be true with NODE_ENV=production: credentials and events must not cross the network in clear text');
    if (!config.KAFKA_SSL_REJECT_UNAUTHORIZED) problem('KAFKA_SSL_REJECT_UNAUTHORIZED', 'must be true with NODE_ENV=production: a broker certificate that does not verify is refused');
  }
  return problems;
};

/**
 * A `superRefine` for a service's config schema:
 * `z.object({ ...commonConfigShape, ... }).superRefine(checkKafkaSecurity)`. Adds one issue per
 * problem of `kafkaSecurityProblems`, at its key.
 */
export const checkKafkaSecurity = (config: KafkaSecurityCheckInput, ctx: z.RefinementCtx): void => {
  for (const { key, message } of kafkaSecurityProblems(config)) ctx.addIssue({ code: 'custom', path: [key], message });
};

/** What `createKafka` (libs/messaging) takes besides the brokers and the client id. */
export interface KafkaClientSecurity {
  readonly sasl?: { readonly mechanism: 'scram-sha-512' | 'scram-sha-256'; readonly username: string; readonly password: string };
  readonly ssl?: { readonly caFile?: string; readonly rejectUnauthorized: boolean };
}

/**
 * The client settings of the parsed configuration. Throws a `ConfigError` naming the keys when
 * the settings are incomplete (a schema that uses `checkKafkaSecurity` has refused them already).
 */
export const kafkaClientSecurity = (config: KafkaSecurityConfig): KafkaClientSecurity => {
  const problems = kafkaSecurityProblems({ ...config, NODE_ENV: undefined });
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${p.key}: ${p.message}`));
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config;
  return {
    ...(mechanism !== 'none' && username && password ? { sasl: { mechanism, username, password } } : {}),
    ...(config.KAFKA_SSL
      ? { ssl: { rejectUnauthorized: config.KAFKA_SSL_REJECT_UNAUTHORIZED, ...(config.KAFKA_SSL_CA_FILE ? { caFile: config.KAFKA_SSL_CA_FILE } : {}) } }
      : {}),
  };
};
