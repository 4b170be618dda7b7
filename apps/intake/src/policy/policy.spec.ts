import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { JourneyRequestSchema } from '@closeloop/contracts';
import { parse as parseYaml } from 'yaml';

import { catalogueIssues, decide, licenceCost, parsePolicy, PolicyError, validatePolicy } from './policy';

const POLICY = readFileSync(join(__dirname, '../../policy/access-policy.yaml'), 'utf8');
const subject = { employeeId: 'E1', email: 'e1@acme.test', displayName: 'E One' };
const newHire = (over: Record<string, unknown> = {}) =>
  JourneyRequestSchema.parse({ type: 'new-hire', requestedBy: 'hm', subject, groups: ['staff'], apps: [{ app: 'asana', role: 'member' }], device: { model: 'laptop-14' }, ...over });

describe('the shipped policy', () => {
  const policy = parsePolicy(POLICY);

  it('loads, version 3 (version 1 had no app catalogue, version 2 no rule for leavers)', () => expect(policy.version).toBe(3));

  it('runs a leaver at once, with a person asked only when a step fails', () => {
    const leaver = { type: 'offboarding' as const, requestedBy: 'hr@acme.test', subject: { employeeId: 'E9', email: 'e9@acme.test', displayName: 'E Nine' }, lastDay: '2026-12-31', itsmRecordId: 'RITM0099' };
    expect(decide(policy, leaver)).toMatchObject({ control: 'exception-approval', rule: 'leavers', approverGroup: 'iam-approvers' });
  });

  it('asks for approval first when a privileged group is granted', () => {
    expect(decide(policy, newHire({ groups: ['staff', 'prod-admins'] }))).toMatchObject({ control: 'pre-approval', rule: 'privileged-groups', approverGroup: 'iam-approvers', policyVersion: 3 });
  });

  it('asks for approval first when a privileged app role is granted, in a new hire or an access change', () => {
    expect(decide(policy, newHire({ apps: [{ app: 'asana', role: 'member' }, { app: 'github', role: 'admin' }] }))).toMatchObject({ control: 'pre-approval', rule: 'privileged-roles', approverGroup: 'iam-approvers' });
    expect(decide(policy, newHire({ apps: [{ app: 'slack', role: 'owner' }] }))).toMatchObject({ control: 'pre-approval', rule: 'privileged-roles' });
    const move = JourneyRequestSchema.parse({ type: 'access-change', requestedBy: 'hm', subject, remove: { groups: [], apps: [] }, grant: { groups: [], apps: [{ app: 'netsuite', role: 'administrator' }] } });
    expect(decide(policy, move)).toMatchObject({ control: 'pre-approval', rule: 'privileged-roles' });
    expect(decide(policy, newHire({ apps: [{ app: 'github', role: 'maintainer' }] }))).toMatchObject({ control: 'exception-approval', rule: 'onboarding-and-moves' });
  });

  it('marks every role named admin or owner, in every app, privileged', () => {
    for (const [app, entry] of Object.entries(policy.catalogue.apps ?? {})) {
      for (const role of entry.roles.filter((r) => /admin|owner/.test(r))) expect(`${app}:${role}:${entry.privileged.includes(role)}`).toBe(`${app}:${role}:true`);
    }
  });

  it('knows every app and role the upstream job profiles grant', () => {
    const profiles = parseYaml(readFileSync(join(__dirname, '../../upstream/upstream-mappings.yaml'), 'utf8')).workday.jobProfiles as Record<string, { apps: unknown[] }>;
    for (const profile of Object.values(profiles)) expect(catalogueIssues(policy, newHire({ apps: profile.apps }))).toEqual([]);
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

describe('the app catalogue', () => {
  const policy = parsePolicy(POLICY);

  it('refuses an app it does not list, and a role the app does not have, naming the field and what is allowed', () => {
    expect(catalogueIssues(policy, newHire({ apps: [{ app: 'asana', role: 'member' }, { app: 'myspace', role: 'member' }, { app: 'github', role: 'god' }] }))).toEqual([
      { field: 'apps.1.app', message: expect.stringMatching(/^app myspace is not in the app catalogue of policy version 3 \(it lists asana, slack, github, /) },
      { field: 'apps.2.role', message: 'role god is not a role of app github (its roles: read, developer, maintainer, admin, owner)' },
    ]);
  });

  it('checks the apps an access change removes and grants, and the app of a licence', () => {
    const move = JourneyRequestSchema.parse({ type: 'access-change', requestedBy: 'hm', subject, remove: { groups: [], apps: ['myspace'] }, grant: { groups: [], apps: [{ app: 'asana', role: 'superuser' }] } });
    expect(catalogueIssues(policy, move).map((i) => i.field)).toEqual(['remove.apps.0', 'grant.apps.0.role']);
    const licensing = JourneyRequestSchema.parse({ type: 'saas-licensing', requestedBy: 'hm', subject, app: 'constructor', licenceType: 'pro', seats: 1 });
    expect(catalogueIssues(policy, licensing)).toEqual([{ field: 'app', message: expect.stringContaining('app constructor is not in the app catalogue') }]);
  });

  it('never takes a name every object inherits for an app of the catalogue', () => {
    for (const app of ['constructor', 'tostring', 'hasownproperty', 'valueof']) {
      expect(catalogueIssues(policy, newHire({ apps: [{ app, role: 'member' }] }))).toHaveLength(1);
    }
  });

  it('refuses every app under a version without an app catalogue (recorded before catalogues existed)', () => {
    const old = validatePolicy({ version: 1, catalogue: {}, approvers: { a: { group: 'g', fallbackGroup: 'f', deadlineMs: 60000, reminderBeforeMs: 1000 } }, rules: [{ id: 'default', description: 'd', control: 'post-attestation', approvers: 'a' }] });
    expect(catalogueIssues(old, newHire())).toEqual([{ field: 'apps.0.app', message: 'app asana is not in the app catalogue of policy version 1 (it lists no apps)' }]);
  });
});

describe('licence costs', () => {
  const costly = validatePolicy({
    version: 7,
    catalogue: { licenceCosts: { erp: { enterprise: 2000 } }, apps: { erp: { roles: ['user'] }, wiki: { roles: ['user'] } } },
    approvers: { a: { group: 'g', fallbackGroup: 'f', deadlineMs: 60000, reminderBeforeMs: 1000 } },
    rules: [
      { id: 'costly', description: 'x', when: { licenceCostAbove: 1000 }, control: 'pre-approval', approvers: 'a' },
      { id: 'default', description: 'd', control: 'post-attestation', approvers: 'a' },
    ],
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('cannot be steered by a licence named %s: the costly licence still counts', (name) => {
    const request = newHire({ apps: [{ app: 'erp', role: 'user', licence: 'enterprise' }, { app: 'wiki', role: 'user', licence: name }] });
    expect(licenceCost(costly, request)).toBe(2000);
    expect(decide(costly, request)).toMatchObject({ rule: 'costly', control: 'pre-approval' });
  });

  it('cannot be steered by an app named like an inherited property', () => {
    const request = newHire({ apps: [{ app: 'erp', role: 'user', licence: 'enterprise' }, { app: 'constructor', role: 'user', licence: 'name' }] });
    expect(licenceCost(costly, request)).toBe(2000);
  });
});

describe('app catalogue validation', () => {
  const approvers = { a: { group: 'g', fallbackGroup: 'f', deadlineMs: 60000, reminderBeforeMs: 1000 } };
  const guarded = [
    { id: 'roles', description: 'x', when: { privilegedRoles: true }, control: 'pre-approval', approvers: 'a' },
    { id: 'default', description: 'd', control: 'post-attestation', approvers: 'a' },
  ];
  const message = (document: unknown): string => {
    try {
      validatePolicy(document);
    } catch (error) {
      return (error as Error).message;
    }
    return 'valid';
  };

  it('accepts a catalogue whose privileged roles always need approval first', () => {
    expect(message({ version: 3, catalogue: { apps: { crm: { roles: ['user', 'admin'], privileged: ['admin'] } } }, approvers, rules: guarded })).toBe('valid');
  });

  it('refuses an admin or owner role that is not privileged, and a privileged role the app does not have', () => {
    const text = message({ version: 3, catalogue: { apps: { crm: { roles: ['user', 'admin', 'org-owner'], privileged: ['root'] } } }, approvers, rules: guarded });
    expect(text).toContain('catalogue.apps.crm.privileged: role root is not one of the app\'s roles (user, admin, org-owner)');
    expect(text).toContain('catalogue.apps.crm.privileged: role admin administers or owns the app and must be privileged (never granted without approval)');
    expect(text).toContain('role org-owner administers or owns the app');
  });

  it('refuses a role listed twice and an app name that is not lower-case letters, digits and dashes', () => {
    expect(message({ version: 3, catalogue: { apps: { crm: { roles: ['user', 'user'] } } }, approvers, rules: guarded })).toBe('invalid policy: catalogue.apps.crm.roles: role user is listed twice');
    expect(message({ version: 3, catalogue: { apps: { CRM: { roles: ['user'] } } }, approvers, rules: guarded })).toBe('invalid policy: catalogue.apps.CRM: app name "CRM": 1 to 64 lower-case letters, digits and dashes');
  });

  it('refuses rules that would let a privileged role run without approval', () => {
    const apps = { crm: { roles: ['user', 'admin'], privileged: ['admin'] } };
    const late = [
      { id: 'onboarding', description: 'x', when: { journeyTypes: ['new-hire'] }, control: 'exception-approval', approvers: 'a' },
      { id: 'licences', description: 'x', when: { journeyTypes: ['saas-licensing'] }, control: 'post-attestation', approvers: 'a' },
      ...guarded,
    ];
    expect(message({ version: 3, catalogue: { apps }, approvers, rules: late })).toBe(
      "invalid policy version 3: rule 'onboarding' (rules[0]): runs without approval and comes before any pre-approval rule with when { privilegedRoles: true }; privileged app roles (crm:admin) must never run without approval",
    );
    const none = [{ id: 'default', description: 'd', control: 'post-attestation', approvers: 'a' }];
    expect(message({ version: 3, catalogue: { apps }, approvers, rules: none })).toContain("rule 'default' (rules[0]): runs without approval");
    const narrow = [{ id: 'roles', description: 'x', when: { privilegedRoles: true, journeyTypes: ['new-hire'] }, control: 'pre-approval', approvers: 'a' }, guarded[1]];
    expect(message({ version: 3, catalogue: { apps }, approvers, rules: narrow })).toContain("rule 'default' (rules[1]): runs without approval");
  });

  it('refuses approvers named like an inherited property', () => {
    const rules = [{ id: 'default', description: 'd', control: 'post-attestation', approvers: 'constructor' }];
    expect(message({ version: 3, catalogue: {}, approvers, rules })).toContain("rule 'default' (rules[0]).approvers: no approvers named 'constructor'");
  });
});
