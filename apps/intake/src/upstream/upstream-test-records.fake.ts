import { parseUpstreamMappings } from './upstream-mappings';

/** A small mapping table for the unit tests. */
export const TEST_MAPPINGS = parseUpstreamMappings(
  `
version: 3
workday:
  jobProfiles:
    JP-ENG-SWE:
      title: Software Engineer
      groups: [staff, engineering]
      apps:
        - { app: slack, role: member, licence: pro }
        - { app: github, role: developer }
      device: { model: laptop-16 }
    JP-ENG-MGR:
      title: Engineering Manager
      groups: [staff, engineering, people-managers]
      apps:
        - { app: slack, role: member, licence: pro }
        - { app: github, role: maintainer }
        - { app: workday-manager, role: manager }
      device: { model: laptop-14 }
    JP-SAL-AE:
      title: Account Executive
      groups: [staff, sales]
      apps:
        - { app: slack, role: member }
        - { app: salesforce, role: sales-user }
      device: { model: laptop-14 }
    JP-ENG-SWE-2:
      title: Senior Software Engineer
      groups: [staff, engineering]
      apps:
        - { app: slack, role: member, licence: pro }
        - { app: github, role: developer }
      device: { model: laptop-16 }
servicenow:
  catalogueItems:
    Laptop Replacement: { journey: device-replacement, defaultModel: laptop-14 }
    Software Licence Request: { journey: saas-licensing }
`,
  'test mappings',
);

export const position = (jobProfile: string, descriptor = 'Job') => ({
  positionId: 'P-000123',
  jobProfile: { id: jobProfile, descriptor },
  supervisoryOrganization: { id: 'SUP-ENG', descriptor: 'Engineering' },
  location: { id: 'LOC-LON', descriptor: 'London' },
});

export const workerHired = (overrides: Record<string, unknown> = {}) => ({
  eventType: 'Worker_Hired',
  eventId: '3aa5550b7fe348b98d7b5741afc65534',
  tenant: 'acme',
  effectiveDate: '2026-02-02',
  completedAt: '2026-01-20T09:15:00Z',
  worker: {
    workerId: '21001',
    workerType: 'Employee',
    name: { firstName: 'Ada', lastName: 'Lovelace' },
    email: 'ada@acme.test',
    position: position('JP-ENG-SWE', 'Software Engineer'),
  },
  ...overrides,
});

export const roleChanged = (from: string, to: string) => ({
  ...workerHired({ eventType: 'Worker_Role_Changed', eventId: '9f1c2d3e4b5a69788796a5b4c3d2e1f0' }),
  worker: { ...workerHired().worker, position: position(to) },
  previousPosition: position(from),
});

export const requestItem = (overrides: Record<string, unknown> = {}) => ({
  sys_id: '9d385017c611228701d22104cc95c371',
  number: 'RITM0010042',
  request: { sys_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', number: 'REQ0010040' },
  cat_item: { sys_id: '04b7e94b4f7b4200086eeed18110c7fd', name: 'Laptop Replacement' },
  requested_for: { sys_id: '62826bf03710200044e0bfc8bcbe5df1', user_name: 'ada.lovelace', name: 'Ada Lovelace', email: 'ada@acme.test', employee_number: '21001' },
  approval: 'approved',
  sys_updated_on: '2026-01-20 09:15:00',
  variables: { asset_tag: 'P1000123', replacement_reason: 'end_of_life', model: '' },
  ...overrides,
});
