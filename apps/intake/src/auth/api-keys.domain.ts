import { createHash, timingSafeEqual } from 'node:crypto';

import { type Role, ROLES } from '@closeloop/auth';
import { z } from 'zod';

/**
 * API keys for upstream systems: `clk_<id>_<secret>`, a 16-hex-digit id (looked up) and 32
 * random bytes (base64url). Only `sha256:<hex>` of the whole key is stored; a SHA-256 is enough
 * (no slow KDF) because the secret is 256 random bits, not a password. The key is shown once,
 * when it is created.
 */
const KEY = /^clk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
export const API_KEY_ID = /^[0-9a-f]{16}$/;

/**
 * Roles an API key may carry. Not `approver`: an approval is a person's decision. Not `admin`:
 * a key must not be able to mint keys.
 */
export const API_KEY_ROLES = ['requester', 'operator', 'auditor'] as const satisfies readonly Role[];

export const CreateApiKeySchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,63}$/, 'lower-case letters, digits, ".", "_" or "-", 2 to 64 characters, starting with a letter or digit'),
    roles: z
      .array(z.enum(ROLES))
      .min(1)
      .max(ROLES.length)
      .refine((roles) => roles.every((r) => (API_KEY_ROLES as readonly string[]).includes(r)), `an API key may carry only ${API_KEY_ROLES.join(', ')} (approvals are people's decisions; only people administer keys)`),
  })
  .strict();
export type CreateApiKey = z.infer<typeof CreateApiKeySchema>;

export interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly keyHash: string;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly revokedBy: string | null;
  readonly revokedAt: Date | null;
}

export const hashApiKey = (key: string): string => `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;

/** A new key from 8 + 32 random bytes: the key (to show once) and the record to store. */
export const mintApiKey = (
  input: CreateApiKey,
  random: { idBytes: Buffer; secretBytes: Buffer },
  createdBy: string,
  now: Date,
): { key: string; record: ApiKey } => {
  if (random.idBytes.length !== 8 || random.secretBytes.length !== 32) throw new Error('an API key needs 8 id bytes and 32 secret bytes');
  const id = random.idBytes.toString('hex');
  const key = `clk_${id}_${random.secretBytes.toString('base64url')}`;
  return {
    key,
    record: { id, name: input.name, roles: [...new Set(input.roles)], keyHash: hashApiKey(key), createdBy, createdAt: now, revokedBy: null, revokedAt: null },
  };
};

/** The id of a well-formed key, or null. */
export const apiKeyId = (key: string): string | null => KEY.exec(key)?.[1] ?? null;

/** Whether the presented key is the one whose hash was stored, compared in constant time. */
export const apiKeyMatches = (record: Pick<ApiKey, 'keyHash'>, key: string): boolean => {
  const presented = Buffer.from(hashApiKey(key));
  const stored = Buffer.from(record.keyHash);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
};
