import { boundedCalls } from './connector-calls';
import { requestAsks, retryAsks } from './step-asks';
import { attemptSteps, dueSteps, isDue, type StepStatus } from './step-guard';
import { failed, verified } from './step-result';
import { newHire, retryOf } from './test-events.fake';

describe('isDue', () => {
  it.each<[StepStatus | undefined, boolean, boolean]>([
    ['pending', false, true],
    ['verified', false, false],
    ['failed', false, false],
    ['compensated', false, false],
    ['pending', true, true],
    ['verified', true, true],
    ['failed', true, true],
    ['compensated', true, false],
    [undefined, true, false],
  ])('a step %s, asked %s a retry: due %s', (status, retry, due) => {
    expect(isDue(status, retry)).toBe(due);
  });
});

describe('dueSteps', () => {
  it('pairs each ask with its record and drops the journeys whose record says compensated', () => {
    const kept = newHire('A');
    const undone = newHire('B');
    const records = new Map([
      [kept.requestId, { status: 'pending' as const }],
      [undone.requestId, { status: 'compensated' as const }],
    ]);
    const due = dueSteps(requestAsks([kept, undone]), records);
    expect(due.map((d) => d.ask.cause)).toEqual([kept]);
    expect(due[0]?.record).toBe(records.get(kept.requestId));
  });

  it('runs a retry again after a verification, never after a compensation, and never without a record', () => {
    const verified = newHire('A');
    const compensated = newHire('B');
    const unknown = newHire('C');
    const statuses = new Map<string, StepStatus>([
      [verified.requestId, 'verified'],
      [compensated.requestId, 'compensated'],
    ]);
    const due = dueSteps(retryAsks([retryOf(verified, 2), retryOf(compensated, 2), retryOf(unknown, 2)]), statuses, (status) => status);
    expect(due.map((d) => d.ask.cause.requestId)).toEqual([verified.requestId]);
  });

  it('keeps only the last ask of a journey in the batch', () => {
    const hire = newHire('A');
    const asks = retryAsks([retryOf(hire, 2), retryOf(hire, 3)]);
    const due = dueSteps(asks, new Map([[hire.requestId, { status: 'failed' as const }]]));
    expect(due.map((d) => d.ask)).toEqual([asks[1]]);
  });
});

describe('attemptSteps', () => {
  it('attempts each due step and keeps its ask and record with the result', async () => {
    const [a, b] = [newHire('A'), newHire('B')];
    const records = new Map([
      [a.requestId, { status: 'pending' as const, id: 'a' }],
      [b.requestId, { status: 'pending' as const, id: 'b' }],
    ]);
    const attempted = await attemptSteps(boundedCalls(1), dueSteps(requestAsks([a, b]), records), async ({ record }) =>
      record.id === 'a' ? verified({ accountId: 'u-A' }) : failed('PROVISIONING_FAILED', 'refused'),
    );
    expect(attempted.map(({ ask, record, result }) => [ask.cause, record.id, result.kind])).toEqual([
      [a, 'a', 'verified'],
      [b, 'b', 'failed'],
    ]);
  });
});
