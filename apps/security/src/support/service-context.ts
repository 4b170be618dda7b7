import { startTestIdentityProvider, type TestIdentityProvider, testKafka } from '@closeloop/testing';
import type { Kafka } from 'kafkajs';

import { type ServiceName, type ServiceUnderTest, startService } from './services';

/** The approver groups of the access policy: a caller in all of them reaches every approval path. */
export const APPROVER_GROUPS = ['iam-approvers', 'finance-approvers', 'eus-approvers', 'onboarding-leads', 'saas-owners'];

export interface SecurityContext {
  readonly svc: ServiceUnderTest;
  readonly idp: TestIdentityProvider;
  readonly kafka: Kafka;
  /** `{ authorization: 'Bearer …' }` for a person with these roles (and groups, and other claims). */
  as(sub: string, roles: readonly string[], groups?: readonly string[], extra?: Record<string, unknown>): Promise<Record<string, string>>;
}

/**
 * Builds the service in-process before the file's tests (its own test identity provider, the
 * security database) and closes it after them, so only its consumers run meanwhile. Returns the
 * context's getter.
 */
export const useService = (name: ServiceName, extraEnv: Record<string, string> = {}): (() => SecurityContext) => {
  let context: SecurityContext | undefined;
  beforeAll(async () => {
    const idp = await startTestIdentityProvider();
    const svc = await startService(name, idp, extraEnv);
    context = {
      svc,
      idp,
      kafka: testKafka(`security-${name}`),
      as: (sub, roles, groups = [], extra) => idp.headers({ sub, roles, groups, expiresIn: '1h', ...(extra ? { extra } : {}) }),
    };
  }, 120000);
  afterAll(async () => {
    await context?.svc.close();
    await context?.idp.stop();
  }, 60000);
  return () => {
    if (!context) throw new Error(`${name} did not start (see the error of beforeAll)`);
    return context;
  };
};
