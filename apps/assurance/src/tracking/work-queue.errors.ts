export type WorkQueueErrorCode = 'NOT_FOUND' | 'NOT_ESCALATED' | 'CLAIMED_BY_OTHER' | 'NOT_CLAIMED' | 'REQUEST_UNSEEN' | 'BAD_CURSOR';

export class WorkQueueError extends Error {
  constructor(
    readonly code: WorkQueueErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WorkQueueError';
  }
}
