import { describeUndo, restoreTarget, undoPlan } from './app-undo.domain';

const before = {
  slack: { role: 'member', licence: 'pro', active: true },
  github: null,
  jira: { role: 'member', licence: null, active: false },
};

describe('undoPlan', () => {
  it('sets every app this journey touched back to what it held before: revoked where the account had nothing usable', () => {
    expect(undoPlan(['slack', 'github', 'jira'], before)).toEqual({
      targets: [
        { app: 'slack', want: { role: 'member', licence: 'pro', active: true } },
        { app: 'github', want: null },
        { app: 'jira', want: null },
      ],
      leftAlone: [],
    });
  });

  it('leaves alone an app another journey granted or revoked since, naming the journeys', () => {
    const plan = undoPlan(['slack', 'github'], before, new Map([['github', ['journey-b']], ['zoom', ['journey-c']]]));
    expect(plan).toEqual({ targets: [{ app: 'slack', want: before.slack }], leftAlone: [{ app: 'github', by: ['journey-b'] }] });
    expect(describeUndo('u-E1', plan)).toBe('app access of u-E1 restored: slack back as member; left alone, changed by another journey since: github (journey-b)');
  });

  it('says when there was nothing left to set back', () => {
    expect(describeUndo('u-E1', undoPlan(['github'], before, new Map([['github', ['journey-b']]])))).toBe(
      'app access of u-E1 restored: nothing to set back; left alone, changed by another journey since: github (journey-b)',
    );
  });
});

describe('restoreTarget', () => {
  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('never takes an inherited property (%s) for access held before', (app) => {
    expect(restoreTarget(app, before)).toBeNull();
    expect(restoreTarget(app, JSON.parse(JSON.stringify(before)))).toBeNull();
  });
});
