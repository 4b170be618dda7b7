// The environment a deployment file gives a service, checked against that service's own config
// schema (apps/<service>/src/config, parsed at start-up by libs/config): a setting the service
// does not read (a typo such as KAFKA_BROKER) or a value it would refuse at start-up (exit 78) is
// found here, before anything runs.

/** Settings read by libraries rather than by the service's config schema. */
const PASS_THROUGH = [/^OTEL_/, /^NODE_OPTIONS$/, /^TZ$/];

/** The keys a schema reads: a zod object, possibly refined (zod 4 keeps `.shape` on refined objects). */
export const schemaKeys = (schema) => {
  const shape = schema?.shape ?? schema?._zod?.def?.shape ?? schema?.def?.in?.shape;
  if (!shape) throw new Error('the config schema is not a zod object (no .shape)');
  return Object.keys(shape);
};

/**
 * @param {string} where       e.g. "docker-compose.yml service intake"
 * @param {Record<string,string>} env  values known statically
 * @param {object} schema      the service's zod config schema
 * @param {Iterable<string>} providedElsewhere  keys set without a value known here (a Secret
 *   kept outside the repository, a fieldRef): counted as present, their value is not checked
 * @returns {string[]} problems
 */
export const checkServiceEnv = (where, env, schema, providedElsewhere = []) => {
  const problems = [];
  const known = new Set(schemaKeys(schema));
  const elsewhere = new Set(providedElsewhere);
  for (const key of [...Object.keys(env), ...elsewhere]) {
    if (!known.has(key) && !PASS_THROUGH.some((re) => re.test(key))) {
      problems.push(`${where}: sets ${key}, which the service does not read (it reads: ${[...known].sort().join(', ')})`);
    }
  }
  const result = schema.safeParse({ ...env });
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.length ? String(issue.path[0]) : '(root)';
      if (elsewhere.has(key)) continue;
      const shown = env[key] === undefined ? 'not set' : /(PASSWORD|SECRET|TOKEN|KEY|DATABASE_URL)/.test(key) ? 'value hidden' : `"${env[key]}"`;
      problems.push(`${where}: ${key}: ${issue.message} (${shown}); the service would refuse to start`);
    }
  }
  return problems;
};
