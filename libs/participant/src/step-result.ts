import type { StepFailureCode } from '@closeloop/contracts';

/** The step did not reach its outcome: why, in the contracts' failure codes, and the target's own words. */
export interface Failed {
  readonly kind: 'failed';
  readonly code: StepFailureCode;
  readonly reason: string;
}

/** The step reached its outcome, and the target, read back, says so: `E` is that evidence. */
export type Verified<E extends object> = { readonly kind: 'verified' } & Readonly<E>;

/** What one attempt of a step comes to. A domain decision of the same shape is one. */
export type StepResult<E extends object> = Verified<E> | Failed;

export const verified = <E extends object>(evidence: E): Verified<E> => ({ ...evidence, kind: 'verified' });

export const failed = (code: StepFailureCode, reason: string): Failed => ({ kind: 'failed', code, reason });

/** What a step's record keeps of a result: its status, and the failure when it failed. */
export interface Conclusion {
  readonly status: 'verified' | 'failed';
  readonly failure: { readonly code: StepFailureCode; readonly reason: string } | null;
}

export const conclusion = (result: StepResult<object>): Conclusion =>
  result.kind === 'verified' ? { status: 'verified', failure: null } : { status: 'failed', failure: { code: result.code, reason: result.reason } };

/** An undo the target confirms, read back: what was undone (and what the step keeps of it, `X`). */
export type Undone<X extends object = Record<never, never>> = { readonly confirmed: true; readonly undone: string } & Readonly<X>;

/** An undo the target refused or the read-back contradicts: nothing is confirmed, so it is asked again. */
export interface NotUndone {
  readonly confirmed: false;
  readonly mismatch: string;
}

export type UndoResult<X extends object = Record<never, never>> = Undone<X> | NotUndone;

export function undone(what: string): Undone;
export function undone<X extends object>(what: string, kept: X): Undone<X>;
export function undone(what: string, kept: object = {}): Undone<object> {
  return { ...kept, confirmed: true, undone: what };
}

export const notUndone = (mismatch: string): NotUndone => ({ confirmed: false, mismatch });
