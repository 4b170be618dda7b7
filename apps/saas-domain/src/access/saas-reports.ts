import { AccessCompensatedV1, AccessFailedV1 } from '@closeloop/contracts';

/** How every SaaS step reports: a failure and a compensation on the access topics. */
export const SAAS_REPORTS = { producer: 'saas-domain', failed: AccessFailedV1, compensated: AccessCompensatedV1 };
