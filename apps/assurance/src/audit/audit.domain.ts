import { createHash } from 'node:crypto';

import { canonicalJson } from '@closeloop/contracts';

/** One line of a journey's audit trail: what happened, when, who or which service did it, and why. */
export interface AuditFact {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly reason: string;
  readonly traceId: string | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface AuditEntry extends AuditFact {
  readonly requestId: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

export const GENESIS = '0'.repeat(64);

/** The hash of an entry covers its content and the previous entry's hash: a chain per journey. */
export const hashEntry = (entry: Omit<AuditEntry, 'hash'>): string =>
  createHash('sha256')
    .update(
      canonicalJson({
        requestId: entry.requestId,
        seq: entry.seq,
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        reason: entry.reason,
        traceId: entry.traceId,
        detail: entry.detail,
        prevHash: entry.prevHash,
      }),
    )
    .digest('hex');

/** Where a journey's chain ends, and the journey's trace id, which a fact without one records. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
  readonly traceId?: string | null;
}

/** Appends facts to a journey's chain, after the entry (seq, hash) it currently ends with. */
export const chain = (requestId: string, head: ChainHead, facts: readonly AuditFact[]): AuditEntry[] => {
  const entries: AuditEntry[] = [];
  let previous = { seq: head.seq, hash: head.hash };
  for (const fact of facts) {
    const unsigned = { ...fact, traceId: fact.traceId ?? head.traceId ?? null, requestId, seq: previous.seq + 1, prevHash: previous.hash };
    const entry = { ...unsigned, hash: hashEntry(unsigned) };
    entries.push(entry);
    previous = { seq: entry.seq, hash: entry.hash };
  }
  return entries;
};

export type ChainCheck = { readonly intact: true; readonly entries: number } | { readonly intact: false; readonly entries: number; readonly brokenAt: number; readonly problem: string };

/** Walks the chain in order and reports the first entry whose link or content does not hold. */
export const verifyChain = (entries: readonly AuditEntry[]): ChainCheck => {
  let previous = { seq: 0, hash: GENESIS };
  for (const entry of entries) {
    if (entry.seq !== previous.seq + 1) return { intact: false, entries: entries.length, brokenAt: entry.seq, problem: `entry ${previous.seq + 1} is missing` };
    if (entry.prevHash !== previous.hash) return { intact: false, entries: entries.length, brokenAt: entry.seq, problem: 'does not link to the entry before it' };
    const { hash: _hash, ...unsigned } = entry;
    if (hashEntry(unsigned) !== entry.hash) return { intact: false, entries: entries.length, brokenAt: entry.seq, problem: 'content was changed after it was written' };
    previous = { seq: entry.seq, hash: entry.hash };
  }
  return { intact: true, entries: entries.length };
};
