import { AccountCompensatedV1, AccountFailedV1, AccountVerifiedV1, type Requested, type RequestedOf, type RetryOf } from '@closeloop/contracts';

import { stepContracts } from './step-events';
import { retryRequested, sampleRequest, TEST_SUBJECT, TEST_TIME } from './step-requests.fake';

/** Journey requests, retries and a step's contracts for the kit's own specs. */
export const AT = TEST_TIME;

export const newHire = (employeeId = TEST_SUBJECT.employeeId): Requested<'new-hire'> =>
  sampleRequest('new-hire', { subject: { employeeId, email: `${employeeId.toLowerCase()}@acme.test`, displayName: employeeId }, apps: [] });

export const retryOf = (of: Requested<'new-hire'>, attempt: number): RetryOf<'new-hire'> => retryRequested(of, { owner: 'identity', step: 'identity' }, attempt);

/** The identity step of a new hire: the account, verified with the request's groups. */
export const ACCOUNT_STEP = stepContracts({
  producer: 'identity-domain',
  step: 'identity',
  verified: AccountVerifiedV1,
  failed: AccountFailedV1,
  compensated: AccountCompensatedV1,
  evidence: ({ accountId }: { accountId: string }, request: RequestedOf<'new-hire'>, at) => ({
    accountId,
    employeeId: request.subject.employeeId,
    enabled: true as const,
    groups: [...request.groups],
    verifiedAt: at,
  }),
});
