import { jsonSetting } from '@closeloop/config';
import { z } from 'zod';

/** `{app}` in a base URL stands for the app's name (for the `*` entry). */
const withApp = (baseUrl: string, app: string): string => baseUrl.replaceAll('{app}', encodeURIComponent(app));

const httpUrl = (value: string): boolean => {
  try {
    const url = new URL(withApp(value, 'app'));
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
};

/**
 * One SaaS admin tool's SCIM 2.0 endpoint and how hard the connector may drive it (per service
 * instance). Limits default to what a SaaS admin API usually tolerates.
 */
export const ScimTargetSchema = z
  .object({
    baseUrl: z
      .string()
      .refine(httpUrl, 'must be an http(s) URL (the SCIM base, e.g. https://api.example.com/scim/v2)')
      .transform((v) => v.replace(/\/+$/, '')),
    token: z.string().min(1, 'the bearer token is required'),
    ratePerSecond: z.number().positive().max(100000).default(20),
    maxConcurrent: z.number().int().min(1).max(1024).default(4),
    timeoutMs: z.number().int().min(1).max(600000).default(10000),
    maxAttempts: z.number().int().min(1).max(20).default(4),
    maxRetryAfterMs: z.number().int().min(0).max(600000).default(10000),
    backoffMs: z.number().int().min(1).max(60000).default(250),
    /** Whether the app grants roles through groups too (a group named after the role); false for apps without SCIM Groups. */
    roleGroups: z.boolean().default(true),
  })
  .strict();
export type ScimTarget = z.infer<typeof ScimTargetSchema>;

/** App name (as in journey requests) → target; `*` for every app not named. */
export const ScimTargetsSchema = z.record(z.string().regex(/^([a-z0-9-]{1,64}|\*)$/, 'keys are app names (lower-case letters, digits, dashes) or *'), ScimTargetSchema);
export type ScimTargets = z.infer<typeof ScimTargetsSchema>;

/**
 * `SAAS_SCIM_TARGETS`: JSON, e.g.
 * `{"slack":{"baseUrl":"https://api.slack.com/scim/v2","token":"xoxp-...","ratePerSecond":5},"*":{"baseUrl":"https://scim.example.com/{app}/v2","token":"..."}}`.
 * Apps it does not name, and every app when it has no `*`, go to this service's own SCIM simulator.
 * `SAAS_SCIM_SIMULATOR_TOKEN`: the bearer token the simulator accepts (and the connector sends it).
 */
/** The simulator's published development token: never accepted as a real target's. */
export const DEFAULT_SIMULATOR_TOKEN = 'closeloop-local-scim-simulator-token';

export const scimTargetsConfigShape = {
  SAAS_SCIM_TARGETS: jsonSetting(ScimTargetsSchema, '{}'),
  SAAS_SCIM_SIMULATOR_TOKEN: z.string().min(16, 'at least 16 characters').default(DEFAULT_SIMULATOR_TOKEN),
  /**
   * `SAAS_APPS`: the SaaS apps in use that SAAS_SCIM_TARGETS does not name (reached through `*`
   * or the simulator), comma-separated, e.g. `asana,figma,miro`. An offboarding searches each of
   * them, and each app SAAS_SCIM_TARGETS names, for the leaver's user.
   */
  SAAS_APPS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((a) => a.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[a-z0-9-]{1,64}$/, 'app names are lower-case letters, digits and dashes, comma-separated')).max(1000)),
};

/** The apps an offboarding searches: every app with a target of its own, and SAAS_APPS; sorted, each once. */
export const appsInUse = (config: { SAAS_SCIM_TARGETS: ScimTargets; SAAS_APPS: readonly string[] }): string[] =>
  [...new Set([...Object.keys(config.SAAS_SCIM_TARGETS).filter((app) => app !== '*'), ...config.SAAS_APPS])].sort();

/**
 * With NODE_ENV=production every app needs a real SCIM target (a `*` entry covers the apps not
 * named), reached over https with a token of its own (never the simulator's published one).
 */
export const checkScimTargetsForProduction = (config: { NODE_ENV: string; SAAS_SCIM_TARGETS: ScimTargets }, ctx: z.RefinementCtx): void => {
  if (config.NODE_ENV !== 'production') return;
  const problem = (message: string) => ctx.addIssue({ code: 'custom', path: ['SAAS_SCIM_TARGETS'], message });
  if (!config.SAAS_SCIM_TARGETS['*']) problem('with NODE_ENV=production a "*" target is required: apps without a target of their own would otherwise have none');
  for (const [app, target] of Object.entries(config.SAAS_SCIM_TARGETS)) {
    if (!target.baseUrl.startsWith('https://')) problem(`${app}.baseUrl: must be https with NODE_ENV=production`);
    if (target.token === DEFAULT_SIMULATOR_TOKEN) problem(`${app}.token: the simulator's published development token is not allowed with NODE_ENV=production`);
  }
};

/** The target for an app: its own entry, else `*` (with `{app}` filled in), else null (the simulator). */
export const scimTargetFor = (targets: ScimTargets, app: string): ScimTarget | null => {
  // Own entries only: an app named `constructor` must not find an inherited property.
  const target = (Object.hasOwn(targets, app) ? targets[app] : undefined) ?? (Object.hasOwn(targets, '*') ? targets['*'] : undefined);
  return target ? { ...target, baseUrl: withApp(target.baseUrl, app) } : null;
};
