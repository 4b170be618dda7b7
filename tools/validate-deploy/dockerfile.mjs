// Checks of the Dockerfile (one multi-stage pattern for every service) and of .dockerignore: pinned
// base images, the APP build argument, production dependencies only in the runtime stage, a
// non-root user, and every file copied from the build context present and not ignored.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { imagePinProblem } from './images.mjs';

/** Instructions of a Dockerfile: line continuations joined, comments dropped. */
export const parseDockerfile = (text) => {
  const out = [];
  let buffer = '';
  let startLine = 0;
  const lines = String(text).split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!buffer && (line === '' || line.startsWith('#'))) return;
    if (buffer && line.startsWith('#')) return; // comment inside a continued instruction
    if (!buffer) startLine = i + 1;
    if (line.endsWith('\\')) {
      buffer += line.slice(0, -1) + ' ';
      return;
    }
    buffer += line;
    const m = /^(\S+)\s*(.*)$/.exec(buffer);
    if (m) out.push({ line: startLine, instruction: m[1].toUpperCase(), args: m[2] });
    buffer = '';
  });
  return out;
};

/** Options (--from=x, --chown=..) and the remaining words of an instruction. */
const splitArgs = (args) => {
  let words;
  const trimmed = args.trim();
  if (trimmed.startsWith('[')) {
    try {
      words = JSON.parse(trimmed);
    } catch {
      words = trimmed.split(/\s+/);
    }
  } else {
    words = trimmed.split(/\s+/).filter(Boolean);
  }
  const options = {};
  while (words.length && String(words[0]).startsWith('--')) {
    const [k, v = 'true'] = String(words.shift()).slice(2).split('=');
    options[k] = v;
  }
  return { options, words };
};

/** A .dockerignore as a predicate on paths relative to the build context. */
export const dockerignoreMatcher = (text) => {
  const rules = String(text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const exclude = !l.startsWith('!');
      const pattern = (exclude ? l : l.slice(1)).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      let re = '';
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === '*' && pattern[i + 1] === '*') {
          if (pattern[i + 2] === '/') {
            re += '(?:.*/)?';
            i += 2;
          } else {
            re += '.*';
            i += 1;
          }
        } else if (c === '*') re += '[^/]*';
        else if (c === '?') re += '[^/]';
        else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
      return { exclude, re: new RegExp(`^${re}$`) };
    });
  return (path) => {
    const parts = path.replace(/^\.\/+/, '').replace(/\/+$/, '').split('/');
    let ignored = false;
    // A path is ignored when a rule matches it or one of its parent directories; the last rule that matches wins.
    for (const rule of rules) {
      for (let n = 1; n <= parts.length; n++) {
        if (rule.re.test(parts.slice(0, n).join('/'))) {
          ignored = rule.exclude;
          break;
        }
      }
    }
    return ignored;
  };
};

/**
 * @param {string} text         the Dockerfile
 * @param {{ context: string, dockerignore?: string, mustSurvive?: string[] }} options
 *   mustSurvive: files the build needs from the context (e.g. apps/<app>/src/main.ts)
 */
export const checkDockerfile = (text, { context, dockerignore = '', mustSurvive = [], file = 'Dockerfile' }) => {
  const problems = [];
  const instructions = parseDockerfile(text);
  const ignored = dockerignoreMatcher(dockerignore);
  const stages = [];
  const globalArgs = new Set();
  let current = null;

  for (const ins of instructions) {
    const at = `${file}:${ins.line}`;
    if (ins.instruction === 'FROM') {
      const { words } = splitArgs(ins.args);
      const image = words[0];
      const asIndex = words.findIndex((w) => w.toLowerCase() === 'as');
      const name = asIndex >= 0 ? words[asIndex + 1] : undefined;
      const fromStage = stages.find((s) => s.name === image);
      if (!fromStage) {
        const pin = imagePinProblem(image);
        if (pin) problems.push(`${at}: ${pin}`);
      }
      current = { name, from: image, parent: fromStage, args: new Set(), runs: [], copies: [], user: fromStage?.user, cmd: fromStage?.cmd };
      stages.push(current);
      continue;
    }
    if (!current) {
      if (ins.instruction === 'ARG') globalArgs.add(ins.args.split('=')[0].trim());
      else problems.push(`${at}: ${ins.instruction} before the first FROM`);
      continue;
    }
    switch (ins.instruction) {
      case 'ARG':
        current.args.add(ins.args.split('=')[0].trim());
        break;
      case 'RUN':
        current.runs.push(ins.args);
        break;
      case 'USER':
        current.user = ins.args.trim();
        break;
      case 'CMD':
      case 'ENTRYPOINT':
        current.cmd = ins.args;
        break;
      case 'COPY':
      case 'ADD': {
        const { options, words } = splitArgs(ins.args);
        const sources = words.slice(0, -1);
        current.copies.push({ from: options.from, sources, dest: words[words.length - 1] });
        if (options.from) {
          if (!stages.some((s) => s.name === options.from) && imagePinProblem(options.from)) {
            problems.push(`${at}: COPY --from=${options.from}: neither an earlier stage nor a pinned image`);
          }
          break;
        }
        if (sources.length === 0) problems.push(`${at}: ${ins.instruction} without a source`);
        for (const source of sources) {
          if (/^https?:\/\//.test(source)) {
            problems.push(`${at}: ${ins.instruction} ${source}: downloads at build time are not reproducible`);
            continue;
          }
          if (/[*?$]/.test(source)) continue;
          const path = join(context, source);
          if (!existsSync(path)) problems.push(`${at}: ${ins.instruction} ${source}: not in the build context (${path} missing)`);
          else if (ignored(source)) problems.push(`${at}: ${ins.instruction} ${source}: excluded by .dockerignore`);
        }
        break;
      }
      default:
        break;
    }
  }

  if (stages.length === 0) return [...problems, `${file}: no FROM`];
  const final = stages[stages.length - 1];
  const chain = (s) => (s ? [s, ...chain(s.parent)] : []);
  const finalChain = chain(final);
  const declared = (arg) => finalChain.some((s) => s.args.has(arg));
  if (!declared('APP')) problems.push(`${file}: the runtime stage does not declare ARG APP (one Dockerfile for every service, the service chosen by --build-arg APP)`);
  if (!final.user || /^(root|0)(:.*)?$/.test(final.user)) problems.push(`${file}: the runtime stage runs as root (add USER with a non-root user)`);
  if (!final.cmd) problems.push(`${file}: the runtime stage has no CMD or ENTRYPOINT`);
  const installs = (s) => s.runs.filter((r) => /\bnpm\s+(install|ci|i)\b/.test(r));
  for (const s of finalChain) {
    for (const run of installs(s)) {
      if (!/--omit[= ]dev|--production\b/.test(run)) problems.push(`${file}: the runtime stage installs dev dependencies (RUN ${run}); use --omit=dev`);
    }
  }
  const modules = final.copies.filter((c) => c.from && c.sources.some((src) => /node_modules\/?$/.test(src)));
  if (modules.length === 0 && !finalChain.some((s) => installs(s).length)) problems.push(`${file}: the runtime stage gets no node_modules`);
  for (const copy of modules) {
    const stage = stages.find((s) => s.name === copy.from);
    const stageInstalls = stage ? chain(stage).flatMap(installs) : [];
    if (!stage || stageInstalls.length === 0 || stageInstalls.some((r) => !/--omit[= ]dev|--production\b/.test(r))) {
      problems.push(`${file}: the runtime stage copies node_modules from stage ${copy.from}, which does not install production dependencies only (npm install --omit=dev)`);
    }
  }

  for (const needed of mustSurvive) {
    if (!existsSync(join(context, needed))) problems.push(`${file}: the build needs ${needed}, which does not exist`);
    else if (ignored(needed)) problems.push(`.dockerignore excludes ${needed}, which the build needs`);
  }
  if (!existsSync(context) || !statSync(context).isDirectory()) problems.push(`${file}: build context ${context} missing`);
  return problems;
};
