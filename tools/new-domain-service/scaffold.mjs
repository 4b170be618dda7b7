// What tools/new-domain-service/generate.mjs writes, as pure functions of the files' text: the
// rendered templates of a new domain service, and each edit of a hand-written file that names
// every service, with its exact inverse (so --remove restores the file byte for byte).

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { renderServiceList } from '../services/service-list.mjs';
import { SECURITY_MODULES, SUITE_PROJECTS } from '../validate-deploy/service-list.mjs';

const TEMPLATES = join(dirname(fileURLToPath(import.meta.url)), 'templates');

const pascal = (kebab) => kebab.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
const upperSnake = (kebab) => kebab.replace(/-/g, '_').toUpperCase();

/** The names a service's files use, from its entry of deploy/services.json. */
export const namesOf = (service, timestamp) => ({
  name: service.name,
  owner: service.owner,
  Owner: pascal(service.owner),
  OWNER: upperSnake(service.owner),
  port: String(service.port),
  schema: service.schema,
  timestamp: String(timestamp),
});

const fill = (text, names, where) => {
  const out = text.replace(/\{\{(\w+)\}\}/g, (whole, key) => {
    if (!(key in names)) throw new Error(`${where}: unknown placeholder ${whole}`);
    return names[key];
  });
  return out;
};

const templateFiles = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? templateFiles(join(dir, d.name)) : d.name.endsWith('.tmpl') ? [join(dir, d.name)] : []));

/** The new files: repository path -> content, rendered from templates/ (paths and contents). */
export const renderFiles = (names) =>
  new Map(
    templateFiles(TEMPLATES).map((file) => {
      const path = fill(relative(TEMPLATES, file).replace(/\.tmpl$/, ''), names, file);
      return [path, fill(readFileSync(file, 'utf8'), names, file)];
    }),
  );

/** An edit of one file: `add` and `remove` map its text to the text with and without the service. */
const replaceOnce = (file, text, find, replacement, what) => {
  const at = text.indexOf(find);
  if (at < 0) throw new Error(`${file}: ${what} not found; edit it by hand (docs/add-a-domain-service.md)`);
  if (text.indexOf(find, at + find.length) >= 0) throw new Error(`${file}: ${what} found twice; edit it by hand`);
  return text.slice(0, at) + replacement + text.slice(at + find.length);
};

/** The last line of `text` that matches `pattern` (multiline), with its end. */
const lastLine = (file, text, pattern, what) => {
  const matches = [...text.matchAll(new RegExp(pattern.source, 'gm'))];
  const m = matches[matches.length - 1];
  if (!m) throw new Error(`${file}: ${what} not found; edit it by hand (docs/add-a-domain-service.md)`);
  const end = text.indexOf('\n', m.index) + 1;
  return { line: text.slice(m.index, end), end };
};

const insertAfterLast = (file, text, pattern, insert, what) => {
  const { end } = lastLine(file, text, pattern, what);
  return text.slice(0, end) + insert + text.slice(end);
};

const removeOnce = (file, text, snippet, what) => replaceOnce(file, text, snippet, '', what);

/** deploy/services.json: the entry appended (so the others keep their order and e2e ports). */
export const servicesJsonEdit = (service) => ({
  file: 'deploy/services.json',
  add: (text) => {
    const doc = JSON.parse(text);
    return renderServiceList({ ...doc, services: [...doc.services, service] });
  },
  remove: (text) => {
    const doc = JSON.parse(text);
    if (!doc.services.some((s) => s.name === service.name)) throw new Error(`deploy/services.json: no service ${service.name}`);
    return renderServiceList({ ...doc, services: doc.services.filter((s) => s.name !== service.name) });
  },
});

const passwordVariable = (name) => `KAFKA_${upperSnake(name)}_PASSWORD`;

/** docker-compose.yml: the service (as the others: the shared environment, its Kafka user) and its SCRAM credential. */
export const composeEdit = (service) => {
  const file = 'docker-compose.yml';
  const { name, port } = service;
  const password = `\${${passwordVariable(name)}:-${name}-dev-secret}`;
  const scram = (indent) => `${indent}closeloop-${name}=${password}\n`;
  const block = [
    `  ${name}:`,
    `    build: { context: ., dockerfile: Dockerfile, args: { APP: ${name} } }`,
    `    image: closeloop/${name}:0.1.0`,
    '    restart: unless-stopped',
    '    init: true',
    '    environment:',
    '      <<: *service-env',
    `      # development: ${service.simulators ? 'simulators and ' : ''}the development identity provider (see x-service-env).`,
    '      NODE_ENV: development',
    `      PORT: "${port}"`,
    `      OTEL_SERVICE_NAME: ${name}`,
    `      KAFKA_SASL_USERNAME: closeloop-${name}`,
    `      KAFKA_SASL_PASSWORD: ${password}`,
    '    volumes:',
    '      - dev-auth:/var/lib/closeloop/dev-auth:ro',
    `    ports: ["127.0.0.1:${port}:${port}"]`,
    '    depends_on: *service-depends',
    '    healthcheck: *service-healthcheck',
    '',
    '',
  ].join('\n');
  const scramLine = /^(\s+)closeloop-[a-z0-9-]+=\$\{KAFKA_[A-Z0-9_]+_PASSWORD:-[^}\n]+\}$/;
  return {
    file,
    add: (text, after) => {
      const { line } = lastLine(file, text, scramLine, 'the SCRAM_USERS of the kafka service');
      let out = insertAfterLast(file, text, scramLine, scram(/^(\s+)/.exec(line)[1]), 'the SCRAM_USERS of the kafka service');
      // After the block of the service before it in the list: up to the next top-level key.
      const start = out.indexOf(`\n  ${after}:\n`);
      if (start < 0) throw new Error(`${file}: no service ${after} to add ${name} after; edit it by hand`);
      const next = /\n {2}\S|\n\S/g;
      next.lastIndex = start + 1;
      const m = next.exec(out);
      const at = m ? m.index + 1 : out.length;
      out = out.slice(0, at) + block + out.slice(at);
      return out;
    },
    remove: (text) => {
      const indent = /^(\s+)closeloop-[a-z0-9-]+=/m.exec(text)?.[1] ?? '        ';
      return removeOnce(file, removeOnce(file, text, block, `the service ${name}`), scram(indent), `the SCRAM user closeloop-${name}`);
    },
  };
};

/** deploy/prometheus/prometheus.yml: a target of the job closeloop. */
export const prometheusEdit = (service) => {
  const file = 'deploy/prometheus/prometheus.yml';
  const target = (indent) => `${indent}- ${service.name}:${service.port}\n`;
  return {
    file,
    add: (text, after, afterPort) => {
      const { line } = lastLine(file, text, new RegExp(`^\\s+- ${after}:${afterPort}$`), `the scrape target ${after}:${afterPort}`);
      return insertAfterLast(file, text, new RegExp(`^\\s+- ${after}:${afterPort}$`), target(/^(\s+)/.exec(line)[1]), `the scrape target ${after}:${afterPort}`);
    },
    remove: (text) => {
      const indent = new RegExp(`^(\\s+)- ${service.name}:${service.port}$`, 'm').exec(text)?.[1];
      if (indent === undefined) throw new Error(`${file}: no scrape target ${service.name}:${service.port}; edit it by hand`);
      return removeOnce(file, text, target(indent), `the scrape target ${service.name}`);
    },
  };
};

/** k8s/base/kustomization.yaml: its manifest among the resources. */
export const kustomizationEdit = (service) => {
  const file = 'k8s/base/kustomization.yaml';
  return {
    file,
    add: (text, after) => insertAfterLast(file, text, new RegExp(`^ {2}- ${after}\\.yaml$`), `  - ${service.name}.yaml\n`, `the resource ${after}.yaml`),
    remove: (text) => removeOnce(file, text, `  - ${service.name}.yaml\n`, `the resource ${service.name}.yaml`),
  };
};

/** k8s/overlays/production/kustomization.yaml: its image from the release registry, as the others. */
export const productionImagesEdit = (service) => {
  const file = 'k8s/overlays/production/kustomization.yaml';
  const image = (registry, tag) => `  - name: closeloop/${service.name}\n    newName: ${registry}/closeloop/${service.name}\n    newTag: ${tag}\n`;
  const entry = (name) => new RegExp(`^ {2}- name: closeloop/${name}\\n {4}newName: (\\S+)/closeloop/${name}\\n {4}newTag: (\\S+)\\n`, 'm');
  return {
    file,
    add: (text, after) => {
      const m = entry(after).exec(text);
      if (!m) throw new Error(`${file}: no image closeloop/${after} to add closeloop/${service.name} after; edit it by hand`);
      const end = m.index + m[0].length;
      return text.slice(0, end) + image(m[1], m[2]) + text.slice(end);
    },
    remove: (text) => {
      const m = entry(service.name).exec(text);
      if (!m) throw new Error(`${file}: no image closeloop/${service.name}; edit it by hand`);
      return text.slice(0, m.index) + text.slice(m.index + m[0].length);
    },
  };
};

/** apps/e2e/project.json, apps/security/project.json: the suites that start every service depend on it. */
export const implicitDependencyEdit = (file, service) => {
  const list = /("implicitDependencies":\s*\[)([^\]]*)(\])/;
  return {
    file,
    add: (text) => {
      if (!list.test(text)) throw new Error(`${file}: no implicitDependencies; edit it by hand`);
      return text.replace(list, (_, open, items, close) => `${open}${items.replace(/\s*$/, '')}${items.trim() ? ', ' : ''}"${service.name}"${/\s*$/.exec(items)[0]}${close}`);
    },
    remove: (text) => removeOnce(file, text, `, "${service.name}"`, `the implicitDependency ${service.name}`),
  };
};

/** apps/security/src/support/services.ts: its AppModule among MODULES, its imports in order. */
export const securityModulesEdit = (service) => {
  const file = SECURITY_MODULES;
  const n = namesOf(service, 0);
  const imports = [
    `import { AppModule as ${n.Owner}Module } from '../../../${service.name}/src/app.module';\n`,
    `import { ${n.Owner}ConfigSchema } from '../../../${service.name}/src/config/${service.owner}.config';\n`,
  ];
  const entry = `  '${service.name}': (env) => ${n.Owner}Module.register(parseConfig(${n.Owner}ConfigSchema, env)),\n`;
  const appImport = /^import [^\n]* from '\.\.\/\.\.\/\.\.\/[^']+';\n/gm;
  const modulesEnd = /(const MODULES\b[^\n]*=(?!>)\s*\{[\s\S]*?\n)(\};\n)/;
  return {
    file,
    add: (text) => {
      const found = [...text.matchAll(appImport)];
      if (found.length === 0) throw new Error(`${file}: no import of an app's module; edit it by hand`);
      const first = found[0].index;
      const last = found[found.length - 1].index + found[found.length - 1][0].length;
      const block = text.slice(first, last);
      if (block.split('\n').length - 1 !== found.length) throw new Error(`${file}: the apps' imports are not one block; edit it by hand`);
      const from = (line) => /from '([^']+)'/.exec(line)[1];
      const sorted = [...found.map((m) => m[0]), ...imports].sort((a, b) => from(a).localeCompare(from(b), 'en', { sensitivity: 'base', numeric: true }));
      let out = text.slice(0, first) + sorted.join('') + text.slice(last);
      if (!modulesEnd.test(out)) throw new Error(`${file}: no MODULES object; edit it by hand`);
      out = out.replace(modulesEnd, (_, body, end) => `${body}${entry}${end}`);
      return out;
    },
    remove: (text) => imports.reduce((t, line) => removeOnce(file, t, line, 'its import'), removeOnce(file, text, entry, `the MODULES entry ${service.name}`)),
  };
};

/** Every edit of a hand-written file, in the order they are applied. */
export const edits = (service) => [
  servicesJsonEdit(service),
  composeEdit(service),
  prometheusEdit(service),
  kustomizationEdit(service),
  productionImagesEdit(service),
  ...SUITE_PROJECTS.map((file) => implicitDependencyEdit(file, service)),
  securityModulesEdit(service),
];
