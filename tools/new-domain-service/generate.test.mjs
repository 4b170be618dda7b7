// Tests of the domain service generator: it scaffolds into a copy of the repository's files that
// name the services, the copy then passes the checks of tools/validate-deploy against the list,
// what it refuses leaves the copy untouched, and --remove gives back every file byte for byte.
// Run: node --test tools/new-domain-service/ (tools/validate-deploy.sh runs them).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { parseAllDocuments, parse as parseYaml } from 'yaml';

import { readServiceList } from '../services/service-list.mjs';
import { serviceFactsFromSource } from '../validate-deploy/kafka-acls.mjs';
import { checkAppsAgainstList, checkComposeAgainstList, checkFilesAgainstList, checkK8sAgainstList } from '../validate-deploy/service-list.mjs';
import { edits, namesOf, renderFiles } from './scaffold.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GENERATE = join(ROOT, 'tools/new-domain-service/generate.mjs');
/** The files the generator edits, and the base manifests the list checks read. */
const EDITED = edits({ name: 'x', owner: 'x', port: 1, schema: 'x' }).map((e) => e.file);
const COPIED = [...EDITED, ...readServiceList(ROOT).map((s) => `k8s/base/${s.name}.yaml`)];

const run = (root, ...args) => {
  try {
    return { code: 0, out: execFileSync(process.execPath, [GENERATE, ...args, '--root', root, '--no-regenerate', '--timestamp', '1790000000000'], { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    return { code: error.status, out: `${error.stdout}${error.stderr}` };
  }
};
const files = (dir, base = dir) => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name), base) : [join(dir, d.name).slice(base.length + 1)]));
const snapshot = (root) => new Map(files(root).map((f) => [f, readFileSync(join(root, f), 'utf8')]));
const docs = (text) => parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);

describe('the domain service generator', () => {
  let root;
  let original;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'new-domain-service-'));
    for (const f of COPIED) cpSync(join(ROOT, f), join(root, f), { recursive: true });
    original = snapshot(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('renders every template, with no placeholder left', () => {
    const rendered = renderFiles(namesOf({ name: 'billing-domain', owner: 'billing-ops', port: 3005, schema: 'billing_ops' }, 1790000000000));
    assert.ok(rendered.has('apps/billing-domain/src/config/billing-ops.config.ts'));
    assert.ok(rendered.has('apps/billing-domain/src/migrations/1790000000000-create-journey-steps.ts'));
    assert.ok(rendered.has('k8s/base/billing-domain.yaml'));
    for (const [path, text] of rendered) assert.doesNotMatch(text, /\{\{|\}\}/, path);
    const config = rendered.get('apps/billing-domain/src/config/billing-ops.config.ts');
    assert.match(config, /export const BillingOpsConfigSchema = z/);
    assert.match(config, /PORT: portSetting\(3005\)/);
    assert.match(rendered.get('apps/billing-domain/src/app.module.ts'), /export const BILLING_OPS_SERVICE = \{\n {2}name: 'billing-domain',\n {2}schema: 'billing_ops',\n {2}consumerGroup: 'closeloop\.billing-domain',/);
  });

  it('refuses a name, port or owner the list has, and leaves every file as it was', () => {
    const taken = readServiceList(ROOT)[1];
    assert.match(run(root, taken.name, '--owner', 'someone').out, /is already a service of deploy\/services\.json/);
    const clash = run(root, 'billing-domain', '--owner', taken.owner, '--port', String(taken.port));
    assert.equal(clash.code, 1);
    assert.match(clash.out, new RegExp(`port ${taken.port} is taken by ${taken.name}`));
    assert.match(clash.out, new RegExp(`owner ${taken.owner} is taken by ${taken.name}`));
    assert.equal(run(root, 'Billing', '--owner', 'billing').code, 1);
    assert.equal(run(root, 'billing-domain').code, 2, '--owner is required');
    assert.deepEqual(snapshot(root), original);
  });

  it('scaffolds a service that every file naming the services agrees on', () => {
    const { code, out } = run(root, 'billing-domain', '--owner', 'billing');
    assert.equal(code, 0, out);
    const services = readServiceList(root);
    const billing = services.at(-1);
    const highest = Math.max(...readServiceList(ROOT).map((s) => s.port));
    assert.deepEqual(billing, { name: 'billing-domain', kind: 'domain', owner: 'billing', port: highest + 1, schema: 'billing', consumerGroup: 'closeloop.billing-domain', simulators: false });
    assert.deepEqual(services.slice(0, -1), readServiceList(ROOT), 'the others keep their entries and order');

    const read = (f) => readFileSync(join(root, f), 'utf8');
    assert.deepEqual(checkComposeAgainstList(parseYaml(read('docker-compose.yml'), { merge: true }), services), []);
    assert.deepEqual(checkK8sAgainstList('k8s/base', services.flatMap((s) => docs(read(`k8s/base/${s.name}.yaml`))), services), []);
    assert.deepEqual(checkFilesAgainstList(root, services), []);
    const src = 'apps/billing-domain/src';
    const sources = new Map([['billing-domain', { main: read(`${src}/main.ts`), appModule: read(`${src}/app.module.ts`), tracing: read(`${src}/tracing.ts`) }]]);
    assert.deepEqual(checkAppsAgainstList([billing], sources), []);
  });

  it("gives the new service's handler subscriptions the ACL table can read: the step owner's topics", () => {
    const contracts = {
      JourneyRequestedV1: { topic: 'intake.journey.requested.v1' },
      StepRetryRequestedV1: { topic: 'assurance.step.retry-requested.v1' },
      CompensationRequestedV1: { topic: 'assurance.compensation.requested.v1' },
      startTopicsOf: (owner) => (owner === 'billing' ? [] : ['x.y.v1']),
    };
    const [facts] = serviceFactsFromSource(root, ['billing-domain'], contracts);
    assert.deepEqual(facts.reads.sort(), ['assurance.compensation.requested.v1', 'assurance.step.retry-requested.v1', 'intake.journey.requested.v1']);
    assert.equal(facts.group, 'closeloop.billing-domain');
  });

  it('puts the security suite\'s imports of the new app in order', () => {
    const imports = readFileSync(join(root, 'apps/security/src/support/services.ts'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('import ') && l.includes("from '../../../"));
    assert.ok(imports.some((l) => l.includes("'../../../billing-domain/src/app.module'")));
    const from = (l) => /from '([^']+)'/.exec(l)[1];
    assert.deepEqual(imports.map(from), [...imports.map(from)].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base', numeric: true })));
  });

  it('--remove gives back every file byte for byte, and deletes what it created', () => {
    const { code, out } = run(root, 'billing-domain', '--remove');
    assert.equal(code, 0, out);
    assert.ok(!existsSync(join(root, 'apps/billing-domain')));
    assert.ok(!existsSync(join(root, 'k8s/base/billing-domain.yaml')));
    assert.deepEqual(snapshot(root), original);
    assert.match(run(root, 'billing-domain', '--remove').out, /billing-domain is not a service of deploy\/services\.json/);
    assert.match(run(root, 'intake', '--remove').out, /intake is not a domain service/);
  });
});
