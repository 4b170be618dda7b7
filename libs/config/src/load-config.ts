import { type z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Keys whose values are never echoed back in an error message (connector TARGETS carry credentials). */
const SECRET_KEY = /(PASSWORD|SECRET|TOKEN|KEY|DATABASE_URL|TARGETS)/;

/**
 * Parses the environment against a schema. Every invalid key is reported at once; values of
 * secret-looking keys are never shown.
 */
export const parseConfig = <S extends z.ZodObject>(schema: S, env: Record<string, string | undefined>): z.infer<S> => {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.length ? String(issue.path[0]) : '(root)';
    const value = env[key];
    const shown = value === undefined ? 'missing' : SECRET_KEY.test(key) ? 'value hidden' : `got "${value}"`;
    return `${key}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(problems);
};

/**
 * Loads the configuration of a service from `process.env`, or prints every bad key and exits
 * non-zero. The only place in the code base that reads `process.env`.
 */
export const loadConfig = <S extends z.ZodObject>(schema: S, service: string): z.infer<S> => {
  try {
    return parseConfig(schema, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
};

/** Reads one variable; for libraries that need a setting outside a service's config schema. */
export const readEnv = (key: string): string | undefined => process.env[key];
