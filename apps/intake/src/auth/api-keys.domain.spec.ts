import { randomBytes } from 'node:crypto';

import { apiKeyId, apiKeyMatches, CreateApiKeySchema, hashApiKey, mintApiKey } from './api-keys.domain';

const NOW = new Date('2024-11-22T10:00:00Z');
const mint = (name = 'workday-hr') => mintApiKey({ name, roles: ['requester', 'requester'] }, { idBytes: randomBytes(8), secretBytes: randomBytes(32) }, 'admin-ada', NOW);

describe('API keys', () => {
  it('mints clk_<id>_<secret> and keeps only the SHA-256 of the key, with the id for look-up', () => {
    const { key, record } = mint();
    expect(key).toMatch(/^clk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(apiKeyId(key)).toBe(record.id);
    expect(record.keyHash).toBe(hashApiKey(key));
    expect(record.keyHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(record)).not.toContain(key.slice('clk_'.length + 16 + 1));
    expect(record).toMatchObject({ name: 'workday-hr', roles: ['requester'], createdBy: 'admin-ada', createdAt: NOW, revokedAt: null });
  });

  it('matches only the key it was minted as', () => {
    const { key, record } = mint();
    const other = mint().key;
    expect(apiKeyMatches(record, key)).toBe(true);
    expect(apiKeyMatches(record, other)).toBe(false);
    expect(apiKeyMatches(record, `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
  });

  it('reads the id only from a well-formed key', () => {
    expect(apiKeyId('clk_0123456789abcdef_' + 'a'.repeat(43))).toBe('0123456789abcdef');
    for (const bad of ['', 'clk_0123456789abcdef_short', 'clk_0123456789ABCDEF_' + 'a'.repeat(43), 'xyz_0123456789abcdef_' + 'a'.repeat(43)]) expect(apiKeyId(bad)).toBeNull();
  });

  it('refuses the approver and admin roles and bad names, naming the field', () => {
    expect(CreateApiKeySchema.safeParse({ name: 'servicenow', roles: ['requester'] }).success).toBe(true);
    const approver = CreateApiKeySchema.safeParse({ name: 'servicenow', roles: ['approver'] });
    expect(approver.success).toBe(false);
    expect(approver.error?.issues[0]).toMatchObject({ path: ['roles'], message: expect.stringContaining('only requester, operator, auditor') });
    expect(CreateApiKeySchema.safeParse({ name: 'ServiceNow!', roles: ['requester'] }).error?.issues[0]?.path).toEqual(['name']);
    expect(CreateApiKeySchema.safeParse({ name: 'servicenow', roles: [] }).success).toBe(false);
    expect(CreateApiKeySchema.safeParse({ name: 'servicenow', roles: ['root'] }).success).toBe(false);
  });
});
