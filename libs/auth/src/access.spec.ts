import { HttpStatus } from '@nestjs/common';

import { assertIndependentOf, assertNotOwnRequest, assertOwnerOrRole } from './access';
import { AccessDenied } from './auth.errors';
import type { Principal } from './roles';

const person = (id: string, ...roles: Principal['roles']): Principal => ({ kind: 'user', id, roles, groups: [] });

const denial = (fn: () => void): AccessDenied => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AccessDenied) return error;
    throw error;
  }
  throw new Error('expected a 403');
};

describe('separation of duties', () => {
  it('refuses an approver deciding on their own request with a 403 that says why', () => {
    const refused = denial(() => assertNotOwnRequest(person('ada', 'requester', 'approver'), 'ada'));
    expect(refused.getStatus()).toBe(HttpStatus.FORBIDDEN);
    expect(refused.reason).toBe('OWN_REQUEST');
    expect(refused.message).toContain('ada requested this and cannot approve or reject it');
  });

  it('lets another approver decide', () => {
    expect(() => assertNotOwnRequest(person('bob', 'approver'), 'ada')).not.toThrow();
  });
});

describe('ownership', () => {
  it('lets a requester act on its own journey, and callers with a listed role on any', () => {
    expect(() => assertOwnerOrRole(person('ada', 'requester'), 'ada', ['operator'], 'see it')).not.toThrow();
    expect(() => assertOwnerOrRole(person('ops', 'operator'), 'ada', ['operator'], 'see it')).not.toThrow();
  });

  it('refuses someone else without naming the owner', () => {
    const refused = denial(() => assertOwnerOrRole(person('eve', 'requester', 'auditor'), 'ada', ['operator', 'admin'], 'cancel journey j1'));
    expect(refused.reason).toBe('NOT_OWNER');
    expect(refused.message).toBe('eve may not cancel journey j1: someone else requested it, and only its requester or a caller with role operator or admin may');
    expect(refused.message).not.toContain('ada');
  });
});

describe('separation of duties by stable identity', () => {
  const parties = { requestedBy: 'manager@acme.test', subject: { employeeId: 'E-42', email: 'ada@acme.test' }, apiKeyCreatedBy: 'admin@acme.test' };
  const act = (principal: Principal) => () => assertIndependentOf(principal, parties, 'resolve its escalation');

  it('refuses the requester, the subject (by sub or e-mail claim, any case) and the creator of the requesting API key', () => {
    expect(denial(act(person('manager@acme.test', 'operator'))).message).toContain('requested this journey and cannot resolve its escalation');
    expect(denial(act(person('E-42', 'operator'))).message).toContain('is the subject of this journey');
    expect(denial(act({ ...person('u-123', 'operator'), email: 'ADA@acme.test' })).message).toContain('is the subject of this journey');
    expect(denial(act(person('Admin@Acme.test', 'operator'))).message).toContain('created the API key that requested this journey');
    expect(denial(act(person('manager@acme.test', 'operator'))).getStatus()).toBe(HttpStatus.FORBIDDEN);
  });

  it('lets anyone else act, and a journey without an API key has no key creator to refuse', () => {
    expect(act(person('ops@acme.test', 'operator'))).not.toThrow();
    expect(() => assertIndependentOf(person('admin@acme.test', 'operator'), { requestedBy: 'manager@acme.test' }, 'act')).not.toThrow();
  });
});
