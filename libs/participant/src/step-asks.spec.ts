import { byJourney, envelopeOf, forStep, journeyOf, latestByJourney, latestPerJourney, requestAsks, retryAsks } from './step-asks';
import { newHire, retryOf } from './test-events.fake';

describe('asks', () => {
  it('makes a first attempt of each journey request and a retry of each retry request, the request travelling with it', () => {
    const hire = newHire();
    const retry = retryOf(hire, 2);
    expect(requestAsks([hire])).toEqual([{ cause: hire, request: hire.payload, retry: false }]);
    expect(retryAsks([retry])).toEqual([{ cause: retry, request: hire.payload, retry: true }]);
  });

  it('reads the event and the journey of an ask and of a bare event alike', () => {
    const hire = newHire();
    const [ask] = requestAsks([hire]);
    expect(envelopeOf(hire)).toBe(hire);
    expect(envelopeOf(ask as NonNullable<typeof ask>)).toBe(hire);
    expect(journeyOf(hire)).toBe(hire.requestId);
  });

  it('keeps the last item of each journey in the batch, journeys in the order they first appear', () => {
    const a = newHire('A');
    const b = newHire('B');
    const aAgain = retryOf(a, 2);
    expect(latestPerJourney([a, b, aAgain])).toEqual([aAgain, b]);
    expect(latestByJourney([a, b, aAgain]).get(a.requestId)).toBe(aAgain);
  });

  it('groups a batch by journey, each journey in batch order', () => {
    const a = newHire('A');
    const b = newHire('B');
    const aAgain = retryOf(a, 2);
    expect([...byJourney([a, b, aAgain])]).toEqual([
      [a.requestId, [a, aAgain]],
      [b.requestId, [b]],
    ]);
  });

  it('keeps the retries meant for this step, not another step of the journey', () => {
    const hire = newHire();
    const mine = retryOf(hire, 2);
    const others = { ...mine, payload: { ...mine.payload, owner: 'saas', step: 'saas' } };
    expect([mine, others].filter(forStep({ owner: 'identity', step: 'identity' }))).toEqual([mine]);
  });
});
