import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { JourneyRequestSchema } from '@closeloop/contracts';

import { decide, licenceCost, parsePolicy, PolicyError } from './policy';

const POLICY = readFileSync(join(__dirname, '../../policy/access-policy.yaml'), 'utf8');
const subject = { employeeId: 'E1', email: 'e1@acme.test', displayName: 'E One' };
const newHire = (over: Record<string, unknown> = {}) =>
  JourneyRequestSchema.parse({ type: 'new-hire', requestedBy: 'hm', subject, groups: ['staff'], apps: [{ app: 'asana', role: 'member' }], device: { model: 'laptop-14' }, ...over });

describe('the shipped policy', () => {
  const policy = parsePolicy(POLICY);

  it('loads, version 1', () => expect(policy.version).toBe(1));

  it('asks for approval first when a privileged group is granted', () => {
    expect(decide(policy, newHire({ groups: ['staff', 'prod-admins'] }))).toMatchObject({ control: 'pre-approval', rule: 'privileged-groups', approverGroup: 'iam-approvers', policyVersion: 1 });
  });

  it('asks finance first for a costly licence (seats x price)', () => {
    const licensing = JourneyRequestSchema.parse({ type: 'saas-licensing', requestedBy: 'hm', subject, app: 'salesforce', licenceType: 'enterprise', seats: 7 });
    expect(licenceCost(policy, licensing)).toBe(1050);
    expect(decide(policy, licensing)).toMatchObject({ control: 'pre-approval', rule: 'costly-licence' });
    expect(decide(policy, JourneyRequestSchema.parse({ type: 'saas-licensing', requestedBy: 'hm', subject, app: 'salesforce', licenceType: 'enterprise', seats: 6 }))).toMatchObject({ control: 'post-attestation', rule: 'default', approverGroup: 'saas-owners' });
  });

  it('asks end-user computing first for a device outside the catalogue', () => {
    expect(decide(policy, newHire({ device: { model: 'gaming-rig-9000' } }))).toMatchObject({ control: 'pre-approval', rule: 'non-standard-device' });
  });

  it('runs standard onboarding with approval on exception', () => {
    expect(decide(policy, newHire())).toMatchObject({ control: 'exception-approval', rule: 'onboarding-and-moves', approverGroup: 'onboarding-leads' });
  });
});

describe('policy validation', () => {
  const base = { version: 2, catalogue: {}, approvers: { a: { group: 'g', fallbackGroup: 'f', deadlineMs: 60000, reminderBeforeMs: 1000 } } };

  it('names the bad rule and field', () => {
    const doc = { ...base, rules: [{ id: 'bad-one', description: 'x', when: { licenceCostAbove: 'lots' }, control: 'pre-approval', approvers: 'a' }, { id: 'default', description: 'd', control: 'post-attestation', approvers: 'a' }] };
    expect(() => parsePolicy(JSON.stringify(doc))).toThrow(new PolicyError("invalid policy version 2: rule 'bad-one' (rules[0]).when.licenceCostAbove: Invalid input: expected number, received string"));
  });

  it('refuses unknown approvers, unknown conditions, and a last rule with conditions', () => {
    const doc = {
      ...base,
      rules: [
        { id: 'r1', description: 'x', when: { journeyTypes: ['new-hire'] }, control: 'pre-approval', approvers: 'nobody' },
        { id: 'r1', description: 'x', when: { colour: 'red' }, control: 'pre-approval', approvers: 'a' },
        { id: 'r3', description: 'x', when: { privilegedGroups: true }, control: 'exception-approval', approvers: 'a' },
      ],
    };
    let message = '';
    try {
      parsePolicy(JSON.stringify(doc));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("rule 'r1' (rules[0]).approvers: no approvers named 'nobody'");
    expect(message).toContain("rule 'r1' (rules[1]).when: Unrecognized key: \"colour\"");
    expect(message).toContain("rule 'r3' (rules[2]).when: the last rule is the default and must have no conditions");
  });

  it('refuses text that is not YAML', () => {
    expect(() => parsePolicy('version: [1')).toThrow(/not valid YAML or JSON/);
  });

  it('refuses a reminder after the deadline', () => {
    const doc = { ...base, approvers: { a: { group: 'g', fallbackGroup: 'f', deadlineMs: 5000, reminderBeforeMs: 5000 } }, rules: [{ id: 'default', description: 'd', control: 'post-attestation', approvers: 'a' }] };
    expect(() => parsePolicy(JSON.stringify(doc))).toThrow('approvers.a: reminderBeforeMs must be shorter than deadlineMs');
  });
});
