import { describeIssues } from '../parse';
import { DeviceReplacementVariablesSchema, LicenceRequestVariablesSchema, ServiceNowRequestItemSchema } from './servicenow-request-item';
import { WorkdayWorkerEventSchema } from './workday-worker-event';

const position = (jobProfile: string) => ({
  positionId: 'P-000123',
  jobProfile: { id: jobProfile, descriptor: 'Software Engineer' },
  supervisoryOrganization: { id: 'SUP-ENG', descriptor: 'Engineering' },
  location: { id: 'LOC-LON', descriptor: 'London' },
});

const HIRED = {
  eventType: 'Worker_Hired',
  eventId: '3aa5550b7fe348b98d7b5741afc65534',
  tenant: 'acme',
  effectiveDate: '2026-02-02',
  completedAt: '2026-01-20T09:15:00Z',
  worker: { workerId: '21001', workerType: 'Employee', name: { firstName: 'Ada', lastName: 'Lovelace' }, email: 'ada@acme.test', position: position('JP-ENG-SWE') },
};

const RITM = {
  sys_id: '9d385017c611228701d22104cc95c371',
  number: 'RITM0010042',
  request: { sys_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', number: 'REQ0010040' },
  cat_item: { sys_id: '04b7e94b4f7b4200086eeed18110c7fd', name: 'Laptop Replacement' },
  requested_for: { sys_id: '62826bf03710200044e0bfc8bcbe5df1', user_name: 'ada.lovelace', name: 'Ada Lovelace', email: 'ada@acme.test', employee_number: '21001' },
  approval: 'approved',
  sys_updated_on: '2026-01-20 09:15:00',
  variables: { asset_tag: 'P1000123', replacement_reason: 'broken', model: '' },
};

const issues = (result: { success: boolean; error?: Parameters<typeof describeIssues>[0] }) => (result.error ? describeIssues(result.error) : '');

describe('Workday worker events', () => {
  it('parses a Worker_Hired and a Worker_Role_Changed event', () => {
    expect(WorkdayWorkerEventSchema.parse(HIRED)).toMatchObject({ eventType: 'Worker_Hired', worker: { workerId: '21001' } });
    const changed = WorkdayWorkerEventSchema.parse({ ...HIRED, eventType: 'Worker_Role_Changed', previousPosition: position('JP-SAL-AE') });
    expect(changed.eventType === 'Worker_Role_Changed' && changed.previousPosition.jobProfile.id).toBe('JP-SAL-AE');
  });

  it('ignores fields it does not use', () => {
    expect(WorkdayWorkerEventSchema.parse({ ...HIRED, initiator: { id: 'x' } })).not.toHaveProperty('initiator');
  });

  it('names every bad field', () => {
    const result = WorkdayWorkerEventSchema.safeParse({ ...HIRED, eventId: 'E-1', worker: { ...HIRED.worker, email: 'nope' } });
    expect(issues(result)).toBe('eventId: a Workday ID (WID): 32 lower-case hex characters; worker.email: Invalid email address');
  });

  it('refuses an event type it does not carry, and a role change without the previous position', () => {
    expect(issues(WorkdayWorkerEventSchema.safeParse({ ...HIRED, eventType: 'Worker_Terminated' }))).toBe("eventType: Invalid discriminator value. Expected 'Worker_Hired' | 'Worker_Role_Changed'");
    expect(issues(WorkdayWorkerEventSchema.safeParse({ ...HIRED, eventType: 'Worker_Role_Changed' }))).toBe('previousPosition: Invalid input: expected object, received undefined');
  });
});

describe('ServiceNow request items', () => {
  it('parses a request item and the variables of a device replacement', () => {
    const item = ServiceNowRequestItemSchema.parse(RITM);
    expect(item.number).toBe('RITM0010042');
    expect(DeviceReplacementVariablesSchema.parse(item.variables)).toEqual({ asset_tag: 'P1000123', replacement_reason: 'broken', model: undefined });
  });

  it('reads the seats of a licence request from their string', () => {
    expect(LicenceRequestVariablesSchema.parse({ application: 'figma', licence_type: 'professional', seats: '5' })).toEqual({ application: 'figma', licence_type: 'professional', seats: 5 });
    expect(issues(LicenceRequestVariablesSchema.safeParse({ application: 'figma', licence_type: 'professional', seats: 'five' }))).toBe('seats: a whole number of seats');
    expect(issues(LicenceRequestVariablesSchema.safeParse({ application: 'figma', licence_type: 'professional', seats: '0' }))).toBe('seats: at least one seat');
  });

  it('names every bad field, and refuses a person without an employee number', () => {
    const result = ServiceNowRequestItemSchema.safeParse({ ...RITM, number: 'INC0000001', requested_for: { ...RITM.requested_for, employee_number: '' } });
    expect(issues(result)).toBe('number: a request item number: RITM and at least 7 digits; requested_for.employee_number: empty: Closeloop identifies people by their employee number');
  });
});
