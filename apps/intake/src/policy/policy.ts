import { type ControlPattern, ControlPatternSchema, type JourneyRequest, JourneyTypeSchema, type PolicyDecision } from '@closeloop/contracts';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

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

const PolicyDocumentSchema = z
  .object({
    version: z.number().int().positive(),
    catalogue: z
      .object({
        standardDevices: z.array(z.string().min(1)).default([]),
        privilegedGroups: z.array(z.string().min(1)).default([]),
        licenceCosts: z.record(z.string(), z.record(z.string(), z.number().min(0))).default({}),
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
    if (!rest.approvers[rule.data.approvers]) problems.push(`${where}.approvers: no approvers named '${rule.data.approvers}' (known: ${Object.keys(rest.approvers).join(', ')})`);
    if (rules.some((r) => r.id === rule.data.id)) problems.push(`${where}.id: duplicate rule id`);
    const conditions = Object.keys(rule.data.when).length;
    if (index === rawRules.length - 1 && conditions > 0) problems.push(`${where}.when: the last rule is the default and must have no conditions`);
    if (index < rawRules.length - 1 && conditions === 0) problems.push(`${where}.when: only the last rule may have no conditions (the rules after it could never apply)`);
    rules.push(rule.data);
    return undefined;
  });
  if (problems.length > 0) throw new PolicyError(`invalid policy version ${rest.version}: ${problems.join('; ')}`);
  return { ...rest, rules };
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
  const price = (app: string, licence: string) => policy.catalogue.licenceCosts[app]?.[licence] ?? 0;
  switch (request.type) {
    case 'new-hire':
      return request.apps.reduce((sum, a) => sum + price(a.app, a.licence), 0);
    case 'access-change':
      return request.grant.apps.reduce((sum, a) => sum + price(a.app, a.licence), 0);
    case 'saas-licensing':
      return price(request.app, request.licenceType) * request.seats;
    case 'device-replacement':
      return 0;
  }
};

const deviceModel = (request: JourneyRequest): string | null =>
  request.type === 'new-hire' || request.type === 'device-replacement' ? request.device.model : null;

const matches = (policy: Policy, rule: PolicyRule, request: JourneyRequest): boolean => {
  const { when } = rule;
  if (when.journeyTypes && !when.journeyTypes.includes(request.type)) return false;
  if (when.privilegedGroups && !grantedGroups(request).some((g) => policy.catalogue.privilegedGroups.includes(g))) return false;
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
  const approvers = policy.approvers[rule.approvers] as Approvers;
  return { policyVersion: policy.version, rule: rule.id, control: rule.control, approverGroup: approvers.group, approvers };
};

/** The approvers of a rule of a recorded policy version (for decisions taken later in a journey). */
export const approversOf = (policy: Policy, ruleId: string): Approvers | null => {
  const rule = policy.rules.find((r) => r.id === ruleId);
  return rule ? (policy.approvers[rule.approvers] ?? null) : null;
};
