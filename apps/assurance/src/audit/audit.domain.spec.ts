import { type AuditFact, chain, GENESIS, verifyChain } from './audit.domain';

const fact = (action: string, second: number): AuditFact => ({
  at: new Date(Date.UTC(2026, 0, 1, 9, 0, second)).toISOString(),
  actor: 'identity-domain',
  action,
  reason: `${action} happened`,
  traceId: null,
  detail: { eventId: `e-${second}` },
});

describe('audit chain', () => {
  const entries = chain('r-1', { seq: 0, hash: GENESIS }, [fact('requested', 0), fact('verified', 1), fact('confirmed', 2)]);

  it('numbers entries and links each to the one before', () => {
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(entries[0]?.prevHash).toBe(GENESIS);
    expect(entries[1]?.prevHash).toBe(entries[0]?.hash);
    expect(verifyChain(entries)).toEqual({ intact: true, entries: 3 });
  });

  it('continues a chain from its head', () => {
    const more = chain('r-1', { seq: 3, hash: entries[2]?.hash as string }, [fact('attested', 3)]);
    expect(verifyChain([...entries, ...more])).toEqual({ intact: true, entries: 4 });
  });

  it('finds an entry whose content was changed', () => {
    const tampered = entries.map((e) => (e.seq === 2 ? { ...e, reason: 'nothing to see' } : e));
    expect(verifyChain(tampered)).toEqual({ intact: false, entries: 3, brokenAt: 2, problem: 'content was changed after it was written' });
  });

  it('finds a removed entry', () => {
    expect(verifyChain([entries[0], entries[2]].filter((e) => e !== undefined))).toMatchObject({ intact: false, brokenAt: 3, problem: 'entry 2 is missing' });
  });

  it('finds an entry re-hashed to hide a change, by the next link', () => {
    const first = entries[0];
    if (!first) throw new Error('no entry');
    const forged = chain('r-1', { seq: 0, hash: GENESIS }, [{ ...fact('requested', 0), reason: 'forged' }])[0];
    expect(verifyChain([forged, ...entries.slice(1)].filter((e) => e !== undefined))).toMatchObject({ intact: false, brokenAt: 2, problem: 'does not link to the entry before it' });
  });

  it("records the journey's trace id on the entries and covers it with the hash", () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traced = chain('r-2', { seq: 0, hash: GENESIS, traceId }, [fact('requested', 0), { ...fact('operator.claimed', 1), traceId: 'a'.repeat(32) }]);
    expect(traced.map((e) => e.traceId)).toEqual([traceId, 'a'.repeat(32)]);
    expect(verifyChain(traced)).toEqual({ intact: true, entries: 2 });
    const rewritten = traced.map((e) => (e.seq === 1 ? { ...e, traceId: 'b'.repeat(32) } : e));
    expect(verifyChain(rewritten)).toMatchObject({ intact: false, brokenAt: 1, problem: 'content was changed after it was written' });
  });
});
