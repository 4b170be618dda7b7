import { decideCompliance } from './enrolment.domain';

const device = { assetTag: 'AT-1', serialNumber: 'SN-1', model: 'laptop-14', assignedTo: 'E1', enrolled: true, compliant: true };

describe('decideCompliance', () => {
  it('verifies an enrolled, compliant device of the model assigned to the new hire', () => {
    expect(decideCompliance('laptop-14', 'E1', device)).toEqual({ kind: 'verified', device });
  });
  it('fails a device that did not pass compliance', () => {
    expect(decideCompliance('laptop-14', 'E1', { ...device, compliant: false })).toEqual({
      kind: 'failed',
      code: 'NOT_COMPLIANT',
      reason: 'device failed its compliance check',
    });
  });
  it('fails when the read-back shows another assignee or model', () => {
    expect(decideCompliance('laptop-16', 'E2', device)).toEqual({
      kind: 'failed',
      code: 'VERIFICATION_MISMATCH',
      reason: 'read-back disagrees: model laptop-14 instead of laptop-16; assigned to E1',
    });
  });
  it('fails when the device is missing', () => {
    expect(decideCompliance('laptop-14', 'E1', null)).toMatchObject({ kind: 'failed', code: 'VERIFICATION_MISMATCH' });
  });
});
