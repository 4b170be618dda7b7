import { type ControlPattern, ControlPatternSchema, type JourneyRequest, type JourneyType, JourneyTypeSchema, type PolicyDecision } from '@closeloop/contracts';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import type { RequestIssue } from '../journeys/journeys.domain';

const ApproversSchema = z
  .object({
    group: z.string().trim().min(1),
    fallbackGroup: z.string().trim().min(1),
    deadlineMs: z.number().int().min(1000).max(2_147_483_647, 'at most 2147483647 ms (24.8 days)'),
    reminderBeforeMs: z.number().int().min(0),
  })
  .strict()
  .refine((a) => a.reminderBeforeMs < a.deadlineMs, { message: 'reminderBeforeMs must be shorter than deadlineMs' })
  .refine((a) => a.group !== a.fallbackGroup, { message: 'fallbackGroup must differ from group' });
export type Approvers = z.infer<typeof ApproversSchema>;

const ConditionsSchema = z
  .object({
    journeyTypes: z.array(JourneyTypeSchema).min(1).optional(),
    privilegedGroups: z.literal(true).optional(),
    privilegedRoles: z.literal(true).optional(),
    licenceCostAbove: z.number().min(0).optional(),
    deviceOutsideCatalogue: z.literal(true).optional(),
  })
  .strict();

const RuleSchema = z
  .object({
    id: z.string().trim().regex(/^[a-z0-9-]{1,64}$/, 'lower-case letters, digits and dashes'),
    description: z.string().trim().min(1).max(500),
    when: ConditionsSchema.default({}),
    control: ControlPatternSchema,
    approvers: z.string().trim().min(1),
  })
  .strict();
export type PolicyRule = z.infer<typeof RuleSchema>;

/** A role whose name says it administers or owns the app: it must be privileged (never without approval). */
const ADMINISTRATIVE_ROLE = /admin|owner/i;
const roleName = z.string().trim().min(1).max(64);
/** App names as requests carry them (the contract's app name). */
const APP_NAME = /^[a-z0-9-]{1,64}$/;

/** One app of the catalogue: the roles a request may name, and which of them are privileged. */
const CatalogueAppSchema = z
  .object({
    roles: z.array(roleName).min(1).max(50),
    privileged: z.array(roleName).max(50).default([]),
  })
  .strict()
  .superRefine((app, ctx) => {
    const seen = new Set<string>();
    for (const role of app.roles) {
      if (seen.has(role)) ctx.addIssue({ code: 'custom', path: ['roles'], message: `role ${role} is listed twice` });
      seen.add(role);
    }
    for (const role of app.privileged) {
      if (!seen.has(role)) ctx.addIssue({ code: 'custom', path: ['privileged'], message: `role ${role} is not one of the app's roles (${app.roles.join(', ')})` });
    }
    for (const role of app.roles) {
      if (ADMINISTRATIVE_ROLE.test(role) && !app.privileged.includes(role)) {
        ctx.addIssue({ code: 'custom', path: ['privileged'], message: `role ${role} administers or owns the app and must be privileged (never granted without approval)` });
      }
    }
  });
export type CatalogueApp = z.infer<typeof CatalogueAppSchema>;

const PolicyDocumentSchema = z
  .object({
    version: z.number().int().positive(),
    catalogue: z
      .object({
        standardDevices: z.array(z.string().min(1)).default([]),
        privilegedGroups: z.array(z.string().min(1)).default([]),
        licenceCosts: z.record(z.string(), z.record(z.string(), z.number().min(0))).default({}),
        /**
         * The apps a request may name, by app name, each with its roles. Absent in versions
         * recorded before app catalogues existed: under such a version no request may name an app.
         */
        apps: z
          .record(z.string(), CatalogueAppSchema)
          .superRefine((apps, ctx) => {
            for (const app of Object.keys(apps)) {
              if (!APP_NAME.test(app)) ctx.addIssue({ code: 'custom', path: [app], message: `app name ${JSON.stringify(app)}: 1 to 64 lower-case letters, digits and dashes` });
            }
          })
          .optional(),
      })
      .strict(),
    approvers: z.record(z.string(), ApproversSchema),
    rules: z.array(z.unknown()).min(1),
  })
  .strict();

export interface Policy {
  readonly version: number;
  readonly catalogue: z.infer<typeof PolicyDocumentSchema>['catalogue'];
  readonly approvers: Readonly<Record<string, Approvers>>;
  readonly rules: readonly PolicyRule[];
}

/**
 * An own entry of a record parsed from policy data, by a name that comes from a request: a name
 * such as `constructor` or `toString` must never reach what every object inherits.
 */
const own = <T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
  record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;

/** A policy that cannot be used; the message names the bad rule or field. */
export class PolicyError extends Error {
  override name = 'PolicyError';
}

const describe = (error: z.ZodError, prefix: string): string =>
  error.issues.map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.')}: ${i.message}`).join('; ');

/**
 * Validates a policy document (already parsed from YAML or JSON). Every problem is reported
 * with where it is, rules by id and position: "rule 'costly-licence' (rules[1]).when.licenceCostAbove: ...".
 */
export const validatePolicy = (document: unknown): Policy => {
  const parsed = PolicyDocumentSchema.safeParse(document);
  if (!parsed.success) throw new PolicyError(`invalid policy: ${describe(parsed.error, '')}`);
  const { rules: rawRules, ...rest } = parsed.data;
  const rules: PolicyRule[] = [];
  const problems: string[] = [];
  rawRules.forEach((raw, index) => {
    const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : '?';
    const where = `rule '${id}' (rules[${index}])`;
    const rule = RuleSchema.safeParse(raw);
    if (!rule.success) return problems.push(describe(rule.error, where));
    if (!own(rest.approvers, rule.data.approvers)) problems.push(`${where}.approvers: no approvers named '${rule.data.approvers}' (known: ${Object.keys(rest.approvers).join(', ')})`);
    if (rules.some((r) => r.id === rule.data.id)) problems.push(`${where}.id: duplicate rule id`);
    const conditions = Object.keys(rule.data.when).length;
    if (index === rawRules.length - 1 && conditions > 0) problems.push(`${where}.when: the last rule is the default and must have no conditions`);
    if (index < rawRules.length - 1 && conditions === 0) problems.push(`${where}.when: only the last rule may have no conditions (the rules after it could never apply)`);
    rules.push(rule.data);
    return undefined;
  });
  if (problems.length === 0) problems.push(...privilegedRolesProblems(rest.catalogue.apps, rules));
  if (problems.length > 0) throw new PolicyError(`invalid policy version ${rest.version}: ${problems.join('; ')}`);
  return { ...rest, rules };
};

/** The journey types that grant app roles. */
const ROLE_GRANTING: readonly JourneyType[] = ['new-hire', 'access-change'];

/**
 * A privileged app role never runs without approval: when the catalogue has one, a pre-approval
 * rule whose only condition is `privilegedRoles` (for every journey type that grants roles) must
 * come before every rule that could let a role-granting request run without approval.
 */
const privilegedRolesProblems = (apps: Policy['catalogue']['apps'], rules: readonly PolicyRule[]): string[] => {
  const privileged = Object.entries(apps ?? {}).flatMap(([app, entry]) => entry.privileged.map((role) => `${app}:${role}`));
  if (privileged.length === 0) return [];
  const grantsRoles = (rule: PolicyRule) => !rule.when.journeyTypes || rule.when.journeyTypes.some((t) => ROLE_GRANTING.includes(t));
  const catchesAll = (rule: PolicyRule) => {
    const { privilegedRoles, journeyTypes, ...others } = rule.when;
    return rule.control === 'pre-approval' && privilegedRoles === true && Object.keys(others).length === 0 && (!journeyTypes || ROLE_GRANTING.every((t) => journeyTypes.includes(t)));
  };
  const problems: string[] = [];
  for (const [index, rule] of rules.entries()) {
    if (catchesAll(rule)) return problems;
    if (rule.control !== 'pre-approval' && grantsRoles(rule)) {
      problems.push(
        `rule '${rule.id}' (rules[${index}]): runs without approval and comes before any pre-approval rule with when { privilegedRoles: true }; privileged app roles (${privileged.join(', ')}) must never run without approval`,
      );
    }
  }
  return problems;
};

/** Parses YAML (JSON is YAML too) and validates it. */
export const parsePolicy = (text: string): Policy => {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new PolicyError(`policy is not valid YAML or JSON: ${(error as Error).message}`);
  }
  return validatePolicy(document);
};

const grantedGroups = (request: JourneyRequest): readonly string[] => {
  switch (request.type) {
    case 'new-hire':
      return request.groups;
    case 'access-change':
      return request.grant.groups;
    default:
      return [];
  }
};

/** Monthly cost of the licences the request grants, from the policy's price list. */
export const licenceCost = (policy: Policy, request: JourneyRequest): number => {
  const price = (app: string, licence: string) => own(own(policy.catalogue.licenceCosts, app), licence) ?? 0;
  switch (request.type) {
    case 'new-hire':
      return request.apps.reduce((sum, a) => sum + price(a.app, a.licence), 0);
    case 'access-change':
      return request.grant.apps.reduce((sum, a) => sum + price(a.app, a.licence), 0);
    case 'saas-licensing':
      return price(request.app, request.licenceType) * request.seats;
    case 'device-replacement':
    case 'offboarding':
      return 0;
  }
};

/** The app roles the request grants. */
const grantedRoles = (request: JourneyRequest): ReadonlyArray<{ app: string; role: string }> => {
  switch (request.type) {
    case 'new-hire':
      return request.apps;
    case 'access-change':
      return request.grant.apps;
    default:
      return [];
  }
};

/** Whether the catalogue marks the role privileged in the app (admin, owner, …). */
export const isPrivilegedRole = (policy: Policy, app: string, role: string): boolean => own(policy.catalogue.apps, app)?.privileged.includes(role) ?? false;

/** Where a request names an app (and the role, when it grants one): the fields, for the messages. */
interface NamedApp {
  readonly app: string;
  readonly appField: string;
  readonly role?: { readonly name: string; readonly field: string };
}

const namedApps = (request: JourneyRequest): NamedApp[] => {
  const granted = (prefix: string) => (a: { app: string; role: string }, i: number): NamedApp => ({ app: a.app, appField: `${prefix}.${i}.app`, role: { name: a.role, field: `${prefix}.${i}.role` } });
  switch (request.type) {
    case 'new-hire':
      return request.apps.map(granted('apps'));
    case 'access-change':
      return [...request.remove.apps.map((app, i) => ({ app, appField: `remove.apps.${i}` })), ...request.grant.apps.map(granted('grant.apps'))];
    case 'saas-licensing':
      return [{ app: request.app, appField: 'app' }];
    case 'device-replacement':
    case 'offboarding':
      return [];
  }
};

/**
 * Every app the request names must be in the policy's app catalogue, and every role it grants
 * must be one of that app's roles. Each problem names the field, the app and what is allowed.
 */
export const catalogueIssues = (policy: Policy, request: JourneyRequest): RequestIssue[] =>
  namedApps(request).flatMap(({ app, appField, role }): RequestIssue[] => {
    const entry = own(policy.catalogue.apps, app);
    if (!entry) {
      const known = Object.keys(policy.catalogue.apps ?? {});
      const listed = known.length > 0 ? `it lists ${known.join(', ')}` : 'it lists no apps';
      return [{ field: appField, message: `app ${app} is not in the app catalogue of policy version ${policy.version} (${listed})` }];
    }
    if (role && !entry.roles.includes(role.name)) {
      return [{ field: role.field, message: `role ${role.name} is not a role of app ${app} (its roles: ${entry.roles.join(', ')})` }];
    }
    return [];
  });

const deviceModel = (request: JourneyRequest): string | null =>
  request.type === 'new-hire' || request.type === 'device-replacement' ? request.device.model : null;

const matches = (policy: Policy, rule: PolicyRule, request: JourneyRequest): boolean => {
  const { when } = rule;
  if (when.journeyTypes && !when.journeyTypes.includes(request.type)) return false;
  if (when.privilegedGroups && !grantedGroups(request).some((g) => policy.catalogue.privilegedGroups.includes(g))) return false;
  if (when.privilegedRoles && !grantedRoles(request).some((a) => isPrivilegedRole(policy, a.app, a.role))) return false;
  if (when.licenceCostAbove !== undefined && !(licenceCost(policy, request) > when.licenceCostAbove)) return false;
  if (when.deviceOutsideCatalogue) {
    const model = deviceModel(request);
    if (model === null || policy.catalogue.standardDevices.includes(model)) return false;
  }
  return true;
};

export interface PolicyOutcome extends PolicyDecision {
  readonly control: ControlPattern;
  readonly approvers: Approvers;
}

/** The first rule whose conditions all hold decides; the default rule always holds. */
export const decide = (policy: Policy, request: JourneyRequest): PolicyOutcome => {
  const rule = policy.rules.find((r) => matches(policy, r, request)) ?? (policy.rules[policy.rules.length - 1] as PolicyRule);
  const approvers = own(policy.approvers, rule.approvers) as Approvers;
  return { policyVersion: policy.version, rule: rule.id, control: rule.control, approverGroup: approvers.group, approvers };
};

/** The approvers of a rule of a recorded policy version (for decisions taken later in a journey). */
export const approversOf = (policy: Policy, ruleId: string): Approvers | null => {
  const rule = policy.rules.find((r) => r.id === ruleId);
  return rule ? (own(policy.approvers, rule.approvers) ?? null) : null;
};
