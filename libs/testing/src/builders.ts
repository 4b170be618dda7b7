import { randomUUID } from 'node:crypto';

/** A valid new-hire request body with unique ids; override what a test needs. */
export const newHireRequest = (overrides: Record<string, unknown> = {}) => {
  const id = randomUUID().slice(0, 8);
  return {
    type: 'new-hire',
    requestedBy: 'manager@acme.test',
    subject: { employeeId: `E-${id}`, email: `hire.${id}@acme.test`, displayName: `Hire ${id}` },
    groups: ['staff', 'engineering'],
    apps: [{ app: 'asana', role: 'member' }],
    device: { model: 'laptop-14' },
    ...overrides,
  };
};
