import { conclusion, failed, notUndone, undone, verified } from './step-result';

describe('step results', () => {
  it('is verified with its evidence, or failed with a code and a reason', () => {
    expect(verified({ accountId: 'u-1' })).toEqual({ kind: 'verified', accountId: 'u-1' });
    expect(failed('NOT_COMPLIANT', 'disk not encrypted')).toEqual({ kind: 'failed', code: 'NOT_COMPLIANT', reason: 'disk not encrypted' });
  });

  it('concludes the record of a step: verified without a failure, or failed with it', () => {
    expect(conclusion(verified({}))).toEqual({ status: 'verified', failure: null });
    expect(conclusion(failed('PROVISIONING_FAILED', 'refused'))).toEqual({ status: 'failed', failure: { code: 'PROVISIONING_FAILED', reason: 'refused' } });
  });

  it('confirms an undo with what was undone (and what the step keeps), or not with the mismatch', () => {
    expect(undone('account disabled')).toEqual({ confirmed: true, undone: 'account disabled' });
    expect(undone('device back in stock', { assetTag: 'AT-1' })).toEqual({ confirmed: true, undone: 'device back in stock', assetTag: 'AT-1' });
    expect(notUndone('still enabled')).toEqual({ confirmed: false, mismatch: 'still enabled' });
  });
});
