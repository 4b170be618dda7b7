import { z } from 'zod';

/**
 * How every service authenticates its callers (see README, "Security").
 *
 * - `AUTH_ISSUER`, `AUTH_AUDIENCE`: the `iss` a token must carry and the `aud` it must include.
 * - `AUTH_JWKS_URL`: the identity provider's JSON Web Key Set (fetched, cached, refetched when a
 *   token names a key it does not know). Required in production, and there it must be https.
 * - `AUTH_JWKS_FILE`: a JWKS JSON file instead of a URL, for development and the demo only
 *   (`tools/auth/dev-identity.mjs` writes one). Refused with NODE_ENV=production, where keys must
 *   come from the identity provider so that its key rotations take effect.
 * - `AUTH_ROLES_CLAIM`, `AUTH_GROUPS_CLAIM`: where the roles and the approver groups are in the
 *   token; a dotted path reaches into an object (Keycloak: `realm_access.roles`).
 * - `AUTH_EMAIL_CLAIM`: the person's e-mail, compared with a journey's subject for separation of
 *   duties (a token without it is still accepted; the `sub` is compared too).
 * - `AUTH_CLOCK_TOLERANCE_S`: the clock skew allowed on `exp`, `nbf` and `iat`.
 * - `METRICS_TOKEN`: when set, `GET /metrics` needs `Authorization: Bearer <METRICS_TOKEN>` (the
 *   scraper's secret); when unset `/metrics` is open (it carries counters, no personal data).
 * - `AUTH_DENIAL_RETENTION_DAYS`: how long the audit of refused calls is kept.
 *
 * There is no switch that turns authentication off, in any environment.
 */
export const authConfigShape = {
  AUTH_ISSUER: z.string().trim().min(1, 'the issuer (iss) tokens must carry'),
  AUTH_AUDIENCE: z.string().trim().min(1, 'the audience (aud) tokens must include'),
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL of a JWKS' }).optional(),
  AUTH_JWKS_FILE: z.string().trim().min(1).optional(),
  AUTH_ROLES_CLAIM: z.string().regex(/^[\w:/.-]+$/, 'a claim name or dotted path').default('roles'),
  AUTH_GROUPS_CLAIM: z.string().regex(/^[\w:/.-]+$/, 'a claim name or dotted path').default('groups'),
  AUTH_EMAIL_CLAIM: z.string().regex(/^[\w:/.-]+$/, 'a claim name or dotted path').default('email'),
  AUTH_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(30),
  METRICS_TOKEN: z.string().min(24, 'at least 24 characters: it is the scraper\'s secret').optional(),
  AUTH_DENIAL_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
};

interface AuthSettings {
  NODE_ENV: 'development' | 'test' | 'production';
  AUTH_JWKS_URL?: string | undefined;
  AUTH_JWKS_FILE?: string | undefined;
}

/** Exactly one key source; in production only an https JWKS URL. Reported per key, like every setting. */
export const checkAuthSettings = (config: AuthSettings, ctx: z.RefinementCtx): void => {
  const problem = (path: keyof AuthSettings, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (!config.AUTH_JWKS_URL && !config.AUTH_JWKS_FILE) problem('AUTH_JWKS_URL', 'set AUTH_JWKS_URL (the identity provider\'s JWKS) or, in development, AUTH_JWKS_FILE');
  if (config.AUTH_JWKS_URL && config.AUTH_JWKS_FILE) problem('AUTH_JWKS_FILE', 'set AUTH_JWKS_URL or AUTH_JWKS_FILE, not both');
  if (config.NODE_ENV === 'production') {
    if (config.AUTH_JWKS_FILE) problem('AUTH_JWKS_FILE', 'not allowed with NODE_ENV=production: use AUTH_JWKS_URL of the identity provider');
    if (config.AUTH_JWKS_URL && !config.AUTH_JWKS_URL.startsWith('https://')) problem('AUTH_JWKS_URL', 'must be https with NODE_ENV=production');
  }
};

export type AuthConfig = z.infer<z.ZodObject<typeof authConfigShape>> & Pick<AuthSettings, 'NODE_ENV'>;
