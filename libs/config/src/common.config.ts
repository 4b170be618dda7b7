import { z } from 'zod';

import { kafkaSecurityConfigShape } from './kafka-security.config';

/** A TCP port; 0 asks the OS for a free one (tests). */
const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** Settings every service shares. Defaults are safe for a local machine only. */
export const commonConfigShape = {
  /**
   * No default: a container image that forgot it must not run as development (which allows
   * simulators, fault switches and development keys). The project's scripts set it.
   */
  NODE_ENV: z.enum(['development', 'test', 'production'], { error: 'set NODE_ENV to production, development or test' }),
  /** Where HTTP listens: 127.0.0.1 on a developer's machine (the default), 0.0.0.0 in a container image. */
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((value) => value.split(',').map((b) => b.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker must be host:port')).min(1)),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  ...kafkaSecurityConfigShape,
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(6),
  /** Partitions whose batches a service handles at once (each in its own transaction). */
  KAFKA_PARTITIONS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(6),
  DATABASE_URL: z
    .string()
    .default('postgres://postgres@127.0.0.1:5432/closeloop')
    .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// URL'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60000).default(500),
};

export const portSetting = port;

export type CommonConfig = z.infer<z.ZodObject<typeof commonConfigShape>>;

/**
 * Fault switches of a simulated target system (identity directory, SaaS admin, device
 * management). `readBackDisagrees`: the system reports success but what it stored differs, so
 * the read-back verification must catch it. `onlyFor`: the subjects (employee ids) the faults
 * apply to; every subject when absent. `rateLimitedCalls` / `unavailableCalls` (SaaS SCIM
 * simulator): the first N calls after the switches are set are answered 429 / 503 with
 * `Retry-After: retryAfterSeconds`.
 */
export const SimulatorFaultsSchema = z
  .object({
    latencyMs: z.number().int().min(0).max(60000).default(0),
    failProvisioning: z.boolean().default(false),
    readBackDisagrees: z.boolean().default(false),
    rateLimitedCalls: z.number().int().min(0).max(10000).default(0),
    unavailableCalls: z.number().int().min(0).max(10000).default(0),
    retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
    onlyFor: z.array(z.string().min(1)).max(1000).optional(),
  })
  .strict();
export type SimulatorFaultSettings = z.infer<typeof SimulatorFaultsSchema>;

/**
 * How hard a connector may drive one target system, per service instance: calls started per
 * second, calls in flight at once, and how long one call may take before it counts as failed
 * (retryable).
 */
export const TargetLimitsSchema = z
  .object({
    ratePerSecond: z.number().positive().max(100000),
    maxConcurrent: z.number().int().min(1).max(1024),
    timeoutMs: z.number().int().min(1).max(600000),
  })
  .strict();
export type TargetLimits = z.infer<typeof TargetLimitsSchema>;

/** A setting holding JSON, parsed and validated; each problem names its path inside the JSON. */
export const jsonSetting = <S extends z.ZodType>(schema: S, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx): z.infer<S> => {
      let json: unknown;
      try {
        json = JSON.parse(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
      const parsed = schema.safeParse(json);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues) {
        // A bad record key carries the key schema's own message inside.
        const message = issue.code === 'invalid_key' && issue.issues[0] ? issue.issues[0].message : issue.message;
        ctx.addIssue({ code: 'custom', message: issue.path.length ? `${issue.path.join('.')}: ${message}` : message });
      }
      return z.NEVER;
    });

/**
 * `SIMULATOR`: whether the service's built-in simulator of its target system runs (`on`, the
 * default for development and tests) or not (`off`). `SIMULATOR_FAULTS`: the simulator's initial
 * fault switches, as JSON. Both are development tools: see `checkSimulatorSettings`.
 */
export const simulatorConfigShape = {
  SIMULATOR: z.enum(['on', 'off']).default('on'),
  SIMULATOR_FAULTS: z
    .string()
    .default('{}')
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(SimulatorFaultsSchema),
  /** `CONNECTOR_LIMITS`: the limits of the connector to the service's simulated target system, as JSON. */
  CONNECTOR_LIMITS: jsonSetting(TargetLimitsSchema, '{"ratePerSecond":2000,"maxConcurrent":16,"timeoutMs":10000}'),
};
export type SimulatorConfig = z.infer<z.ZodObject<typeof simulatorConfigShape>>;

interface SimulatorSettings {
  readonly NODE_ENV: 'development' | 'test' | 'production';
  readonly SIMULATOR: 'on' | 'off';
  readonly SIMULATOR_FAULTS: SimulatorFaultSettings;
}

/** Whether fault switches differ from "no faults". */
const anyFault = (faults: SimulatorFaultSettings): boolean =>
  faults.latencyMs > 0 || faults.failProvisioning || faults.readBackDisagrees || faults.rateLimitedCalls > 0 || faults.unavailableCalls > 0 || faults.onlyFor !== undefined;

/**
 * Simulators never in production: with NODE_ENV=production a service refuses to start while its
 * simulator or a fault switch is on. `simulatorOnly`: the service has no other connector to its
 * target system yet (identity-domain's directory, device-domain's device management and ITSM), so
 * `SIMULATOR=off` leaves it nothing to work with and is refused too, naming the target.
 */
export const checkSimulatorSettings =
  (target: string, options: { simulatorOnly: boolean }) =>
  (config: SimulatorSettings, ctx: z.RefinementCtx): void => {
    const problem = (path: keyof SimulatorSettings, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (config.NODE_ENV === 'production') {
      if (config.SIMULATOR === 'on') {
        problem('SIMULATOR', options.simulatorOnly
          ? `the built-in simulator of ${target} is not allowed with NODE_ENV=production, and this release has no connector to a real ${target}: run this service in development or test only`
          : `the built-in simulator of ${target} is not allowed with NODE_ENV=production: set SIMULATOR=off and configure the real ${target}`);
      }
      if (anyFault(config.SIMULATOR_FAULTS)) problem('SIMULATOR_FAULTS', 'fault switches are not allowed with NODE_ENV=production');
    } else if (config.SIMULATOR === 'off' && options.simulatorOnly) {
      problem('SIMULATOR', `this release has no connector to a real ${target}: the simulator cannot be turned off`);
    }
  };
