import { decideRequestItem } from './servicenow.domain';
import { requestItem, TEST_MAPPINGS } from './upstream-test-records.fake';

const decide = (record: unknown) => decideRequestItem(typeof record === 'string' ? record : JSON.stringify(record), TEST_MAPPINGS);
const LICENCE_ITEM = { sys_id: '1c832706732023002728660c4cf6a7b9', name: 'Software Licence Request' };

describe('ServiceNow request items to journeys', () => {
  it('maps a device replacement item to a device-replacement request whose ITSM record is the RITM number', () => {
    expect(decide(requestItem())).toEqual({
      kind: 'start',
      record: 'ServiceNow RITM0010042 (9d385017c611228701d22104cc95c371)',
      idempotencyKey: 'servicenow:9d385017c611228701d22104cc95c371',
      request: {
        type: 'device-replacement',
        requestedBy: 'servicenow',
        subject: { employeeId: '21001', email: 'ada@acme.test', displayName: 'Ada Lovelace' },
        itsmRecordId: 'RITM0010042',
        retiredAssetTag: 'P1000123',
        reason: 'end-of-life',
        device: { model: 'laptop-14' },
      },
    });
  });

  it('takes the model asked for over the default one', () => {
    const decision = decide(requestItem({ variables: { asset_tag: 'P1000123', replacement_reason: 'broken', model: 'laptop-16' } }));
    expect(decision.kind === 'start' && decision.request).toMatchObject({ reason: 'broken', device: { model: 'laptop-16' } });
  });

  it('maps a licence item to a saas-licensing request', () => {
    const decision = decide(requestItem({ cat_item: LICENCE_ITEM, approval: 'not requested', variables: { application: 'figma', licence_type: 'professional', seats: '3' } }));
    expect(decision).toMatchObject({ kind: 'start', idempotencyKey: 'servicenow:9d385017c611228701d22104cc95c371' });
    expect(decision.kind === 'start' && decision.request).toEqual({
      type: 'saas-licensing',
      requestedBy: 'servicenow',
      subject: { employeeId: '21001', email: 'ada@acme.test', displayName: 'Ada Lovelace' },
      app: 'figma',
      licenceType: 'professional',
      seats: 3,
    });
  });

  it('refuses a catalogue item that is not in the mapping, naming it', () => {
    expect(decide(requestItem({ cat_item: { sys_id: 'ffffffffffffffffffffffffffffffff', name: 'Office Chair' } }))).toEqual({
      kind: 'refused',
      reason: 'ServiceNow RITM0010042 (9d385017c611228701d22104cc95c371): catalogue item "Office Chair" is not in the catalogue mapping (servicenow.catalogueItems, version 3)',
    });
  });

  it('refuses an item that is not approved for fulfilment', () => {
    expect(decide(requestItem({ approval: 'requested' }))).toEqual({
      kind: 'refused',
      reason: 'ServiceNow RITM0010042 (9d385017c611228701d22104cc95c371): not ready for fulfilment (approval: requested)',
    });
  });

  it('refuses bad variables, naming each', () => {
    expect(decide(requestItem({ variables: { replacement_reason: 'spilled coffee' } }))).toEqual({
      kind: 'refused',
      reason:
        'ServiceNow RITM0010042 (9d385017c611228701d22104cc95c371): the variables of catalogue item "Laptop Replacement" are invalid: variables.asset_tag: Invalid input: expected string, received undefined; variables.replacement_reason: Invalid option: expected one of "broken"|"lost"|"stolen"|"end_of_life"|"upgrade"',
    });
    const badApp = decide(requestItem({ cat_item: LICENCE_ITEM, variables: { application: 'Adobe Acrobat', licence_type: 'pro', seats: '1' } }));
    expect(badApp.kind === 'refused' && badApp.reason).toBe(
      'ServiceNow RITM0010042 (9d385017c611228701d22104cc95c371): the journey request it maps to is invalid: app: lower-case letters, digits and dashes only',
    );
  });

  it('refuses what is not JSON or does not match the contract', () => {
    expect(decide('<xml/>')).toEqual({ kind: 'refused', reason: expect.stringMatching(/^not JSON: /) });
    expect(decide({ ...requestItem(), sys_id: undefined })).toEqual({
      kind: 'refused',
      reason: 'does not match itsm.servicenow.request-items.v1: sys_id: Invalid input: expected string, received undefined',
    });
  });
});
