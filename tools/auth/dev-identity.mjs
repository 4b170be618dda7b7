#!/usr/bin/env node
// The development identity provider: an RS256 key pair kept in <state>/dev-auth/, whose public
// half intake reads as AUTH_JWKS_FILE (tools/stack.sh sets that up), and tokens signed with its
// private half for the demo, the benchmark and anyone trying the API with curl. Development only:
// intake refuses AUTH_JWKS_FILE with NODE_ENV=production.
//
//   node tools/auth/dev-identity.mjs init [dir]        create the keys once (kept across runs)
//   node tools/auth/dev-identity.mjs token --sub ada@acme.test --roles requester[,approver] \
//        [--groups finance-approvers] [--expires 1h] [--dir dir]
//
//   curl -H "Authorization: Bearer $(node tools/auth/dev-identity.mjs token --sub me --roles requester)" \
//        localhost:3000/journeys/<id>
//
// Env: CLOSELOOP_STATE_DIR (keys in $CLOSELOOP_STATE_DIR/dev-auth, default .run/dev-auth),
//      AUTH_ISSUER / AUTH_AUDIENCE (default: DEV_ISSUER / DEV_AUDIENCE below, as tools/stack.sh sets them).

import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';

export const DEV_ISSUER = 'urn:closeloop:dev-identity-provider';
export const DEV_AUDIENCE = 'closeloop-intake';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const defaultDir = () => join(process.env.CLOSELOOP_STATE_DIR ?? join(ROOT, '.run'), 'dev-auth');

const SIGNING_KEY = 'signing-key.json';
const JWKS = 'jwks.json';

/** Creates the key pair once; returns the path of the public JWKS. */
export const ensureDevKeys = async (dir = defaultDir()) => {
  const jwksPath = join(dir, JWKS);
  if (existsSync(join(dir, SIGNING_KEY)) && existsSync(jwksPath)) return jwksPath;
  mkdirSync(dir, { recursive: true });
  const kid = `dev-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const write = (name, value, mode) => {
    // Written aside and renamed, so that a concurrent reader never sees half a file.
    const tmp = join(dir, `.${name}.${process.pid}`);
    writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode });
    renameSync(tmp, join(dir, name));
  };
  write(SIGNING_KEY, { ...(await exportJWK(privateKey)), kid, alg: 'RS256' }, 0o600);
  write(JWKS, { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] }, 0o644);
  chmodSync(join(dir, SIGNING_KEY), 0o600);
  return jwksPath;
};

/** A token for a person: `sub`, roles (requester, approver, operator, auditor, admin), groups. */
export const devToken = async ({ sub, roles = [], groups = [], expiresIn = '1h' }, dir = defaultDir()) => {
  await ensureDevKeys(dir);
  const jwk = JSON.parse(readFileSync(join(dir, SIGNING_KEY), 'utf8'));
  const key = await importJWK(jwk, 'RS256');
  return new SignJWT({ roles, groups })
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(process.env.AUTH_ISSUER ?? DEV_ISSUER)
    .setAudience(process.env.AUTH_AUDIENCE ?? DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
};

const main = async () => {
  const [command, ...rest] = process.argv.slice(2);
  const list = (v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
  if (command === 'init') {
    process.stdout.write(`${await ensureDevKeys(rest[0] ?? defaultDir())}\n`);
  } else if (command === 'token') {
    const { values } = parseArgs({
      args: rest,
      options: { sub: { type: 'string' }, roles: { type: 'string' }, groups: { type: 'string' }, expires: { type: 'string', default: '1h' }, dir: { type: 'string' } },
    });
    if (!values.sub) throw new Error('--sub is required (the person: an email or user id)');
    process.stdout.write(`${await devToken({ sub: values.sub, roles: list(values.roles), groups: list(values.groups), expiresIn: values.expires }, values.dir ?? defaultDir())}\n`);
  } else {
    process.stderr.write('usage: dev-identity.mjs init [dir] | token --sub <sub> --roles <r1,r2> [--groups <g1,g2>] [--expires 1h] [--dir <dir>]\n');
    process.exitCode = 2;
  }
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    process.stderr.write(`dev-identity: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
