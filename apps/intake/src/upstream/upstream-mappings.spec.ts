import { join } from 'node:path';

import { JourneyRequestSchema } from '@closeloop/contracts';

import { loadUpstreamMappings, parseUpstreamMappings } from './upstream-mappings';

const SHIPPED = join(__dirname, '../../upstream/upstream-mappings.yaml');

describe('upstream mapping table', () => {
  it('loads the shipped table, and each job profile makes a valid new-hire request', () => {
    const mappings = loadUpstreamMappings(SHIPPED);
    expect(mappings.jobProfiles.size).toBeGreaterThan(0);
    expect(mappings.catalogueItems.get('Laptop Replacement')).toEqual({ journey: 'device-replacement', defaultModel: 'laptop-14' });
    for (const [id, profile] of mappings.jobProfiles) {
      const request = { type: 'new-hire', requestedBy: 'workday', subject: { employeeId: id, email: 'x@acme.test', displayName: 'X' }, ...profile };
      expect(JourneyRequestSchema.safeParse(request).success).toBe(true);
    }
  });

  it('names the file and every bad entry', () => {
    const text = `
version: 1
workday:
  jobProfiles:
    JP-X:
      title: X
      apps: [{ app: Slack, role: member }]
      device: { model: laptop-14 }
servicenow:
  catalogueItems:
    Chair: { journey: furniture }
`;
    expect(() => parseUpstreamMappings(text, 'mappings.yaml')).toThrow(
      "mappings.yaml: workday.jobProfiles.JP-X.apps.0.app: lower-case letters, digits and dashes only; servicenow.catalogueItems.Chair.journey: Invalid discriminator value. Expected 'device-replacement' | 'saas-licensing'",
    );
  });

  it('refuses a profile that lists an app twice, and YAML that does not parse', () => {
    const twice = `
version: 1
workday:
  jobProfiles:
    JP-X: { title: X, apps: [{ app: slack, role: member }, { app: slack, role: admin }], device: { model: laptop-14 } }
servicenow: { catalogueItems: {} }
`;
    expect(() => parseUpstreamMappings(twice, 'm.yaml')).toThrow('m.yaml: workday.jobProfiles.JP-X.apps.1.app: slack is listed twice');
    expect(() => parseUpstreamMappings('version: [1', 'm.yaml')).toThrow(/^m\.yaml is not valid YAML: /);
  });

  it('says which file it cannot read', () => {
    expect(() => loadUpstreamMappings('/nonexistent/mappings.yaml')).toThrow(/^UPSTREAM_MAPPINGS_FILE \/nonexistent\/mappings\.yaml cannot be read: ENOENT/);
  });
});
