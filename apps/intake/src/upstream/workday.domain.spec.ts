import { position, roleChanged, TEST_MAPPINGS, workerHired } from './upstream-test-records.fake';
import { decideWorkdayEvent } from './workday.domain';

const decide = (record: unknown) => decideWorkdayEvent(typeof record === 'string' ? record : JSON.stringify(record), TEST_MAPPINGS);

describe('Workday worker events to journeys', () => {
  it('maps Worker_Hired to a new-hire request with the access of the job profile', () => {
    expect(decide(workerHired())).toEqual({
      kind: 'start',
      record: 'Workday Worker_Hired 3aa5550b7fe348b98d7b5741afc65534',
      idempotencyKey: 'workday:3aa5550b7fe348b98d7b5741afc65534',
      request: {
        type: 'new-hire',
        requestedBy: 'workday',
        subject: { employeeId: '21001', email: 'ada@acme.test', displayName: 'Ada Lovelace' },
        groups: ['staff', 'engineering'],
        apps: [
          { app: 'slack', role: 'member', licence: 'pro' },
          { app: 'github', role: 'developer', licence: 'standard' },
        ],
        device: { model: 'laptop-16' },
      },
    });
  });

  it('uses the preferred name as the display name when there is one', () => {
    const hired = workerHired();
    const decision = decide({ ...hired, worker: { ...hired.worker, name: { firstName: 'Augusta', lastName: 'King', preferredName: 'Ada Lovelace' } } });
    expect(decision.kind === 'start' && decision.request.subject.displayName).toBe('Ada Lovelace');
  });

  it('maps Worker_Role_Changed to an access change: what only the old profile gave is removed, what the new one adds or changes is granted', () => {
    const decision = decide(roleChanged('JP-ENG-SWE', 'JP-ENG-MGR'));
    expect(decision).toMatchObject({ kind: 'start', idempotencyKey: 'workday:9f1c2d3e4b5a69788796a5b4c3d2e1f0' });
    expect(decision.kind === 'start' && decision.request).toEqual({
      type: 'access-change',
      requestedBy: 'workday',
      subject: { employeeId: '21001', email: 'ada@acme.test', displayName: 'Ada Lovelace' },
      remove: { groups: [], apps: [] },
      grant: {
        groups: ['people-managers'],
        apps: [
          { app: 'github', role: 'maintainer', licence: 'standard' },
          { app: 'workday-manager', role: 'manager', licence: 'standard' },
        ],
      },
    });
    const toSales = decide(roleChanged('JP-ENG-MGR', 'JP-SAL-AE'));
    expect(toSales.kind === 'start' && toSales.request).toMatchObject({
      type: 'access-change',
      remove: { groups: ['engineering', 'people-managers'], apps: ['github', 'workday-manager'] },
      grant: { groups: ['sales'], apps: [{ app: 'slack', role: 'member', licence: 'standard' }, { app: 'salesforce', role: 'sales-user', licence: 'standard' }] },
    });
  });

  it('starts nothing for a role change between profiles that give the same access', () => {
    expect(decide(roleChanged('JP-ENG-SWE', 'JP-ENG-SWE-2'))).toEqual({
      kind: 'nothing-to-do',
      record: 'Workday Worker_Role_Changed 9f1c2d3e4b5a69788796a5b4c3d2e1f0',
      reason: 'job profiles JP-ENG-SWE and JP-ENG-SWE-2 give the same access',
    });
    expect(decide(roleChanged('JP-SAL-AE', 'JP-SAL-AE'))).toMatchObject({ kind: 'nothing-to-do', reason: 'the job profile stays JP-SAL-AE' });
  });

  it('refuses a job profile that is not in the mapping, naming it', () => {
    const hired = workerHired();
    expect(decide({ ...hired, worker: { ...hired.worker, position: position('JP-AST-001', 'Astronaut') } })).toEqual({
      kind: 'refused',
      reason:
        'Workday Worker_Hired 3aa5550b7fe348b98d7b5741afc65534: worker.position.jobProfile.id JP-AST-001 (Astronaut) is not in the job-profile mapping (workday.jobProfiles, version 3)',
    });
    expect(decide(roleChanged('JP-OLD', 'JP-ENG-SWE'))).toMatchObject({ kind: 'refused', reason: expect.stringContaining('previousPosition.jobProfile.id JP-OLD (Job) is not in the job-profile mapping') });
  });

  it('refuses what is not JSON, and what does not match the contract, naming each bad field', () => {
    expect(decide('{"eventType":')).toEqual({ kind: 'refused', reason: expect.stringMatching(/^not JSON: /) });
    const hired = workerHired();
    expect(decide({ ...hired, effectiveDate: 'soon', worker: { ...hired.worker, workerId: '' } })).toEqual({
      kind: 'refused',
      reason: 'does not match hr.workday.worker-events.v1: effectiveDate: Invalid ISO date; worker.workerId: Too small: expected string to have >=1 characters',
    });
  });

  it('refuses a record whose data make an invalid journey request', () => {
    const hired = workerHired();
    const decision = decide({ ...hired, worker: { ...hired.worker, name: { firstName: 'A'.repeat(100), lastName: 'B'.repeat(100), preferredName: undefined }, workerId: 'x'.repeat(64) } });
    expect(decision).toMatchObject({ kind: 'refused' });
    expect(decision.kind === 'refused' && decision.reason).toBe(
      'Workday Worker_Hired 3aa5550b7fe348b98d7b5741afc65534: the journey request it maps to is invalid: subject.displayName: Too big: expected string to have <=200 characters',
    );
  });
});
