// Checks of rendered Kubernetes manifests (`kubectl kustomize k8s/overlays/<overlay>`):
//
// 1. Schema: every object is constructed with its kubernetes-models class and `.validate()`d
//    (types, enums, required fields). Those validators accept properties the schema does not know
//    (a misspelled `readinessProbe`, `replicaz`), so a strict pass probes every property: it puts
//    a value no schema type accepts (a Symbol) in its place and validates again; a property the
//    schema knows is then reported at its own path, an unknown one is not, and is a problem.
// 2. Wiring: the five services each have a Deployment, Service, HPA and PDB that point at each
//    other; probes on the real endpoints; requests and limits; non-root; pinned images; every
//    ConfigMap/Secret a container reads exists (or is declared as kept outside the repository);
//    and the environment each container gets is parsed by that service's own config schema.

import { imagePinProblem } from './images.mjs';
import { checkServiceEnv } from './service-env.mjs';

const PROBE = Symbol('unknown-field-probe');

const modelCache = new Map();

/** The kubernetes-models class of an apiVersion/kind, or undefined when the package has none. */
export const modelFor = async (apiVersion, kind) => {
  const key = `${apiVersion}/${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let model;
  if (typeof apiVersion === 'string' && typeof kind === 'string' && /^[A-Za-z0-9.-]+(\/[A-Za-z0-9]+)?$/.test(apiVersion)) {
    const path = apiVersion.includes('/') ? apiVersion : `v1`; // core group: "v1"
    try {
      const mod = await import(`kubernetes-models/${path}`);
      model = typeof mod[kind] === 'function' && mod[kind].kind === kind ? mod[kind] : undefined;
    } catch {
      model = undefined;
    }
  }
  modelCache.set(key, model);
  return model;
};

const pointer = (segment) => String(segment).replace(/~/g, '~0').replace(/\//g, '~1');

const schemaErrors = (Model, data) => {
  try {
    new Model(data).validate();
    return [];
  } catch (error) {
    if (!Array.isArray(error?.errors)) throw error;
    return error.errors;
  }
};

const describe = (e) => {
  const where = e.instancePath || '(top level)';
  if (e.keyword === 'required') return `${where}: missing required field ${e.params.missingProperty}`;
  if (e.keyword === 'enum') return `${where}: ${e.message} (${(e.params.allowedValues ?? []).join(', ')})`;
  return `${where}: ${e.message}`;
};

/** Properties of `data` (at any depth) that the model's schema does not know, as JSON pointers. */
export const unknownFields = (Model, data, { under = '' } = {}) => {
  const root = structuredClone(data);
  const unknown = [];
  const walk = (node, path) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}/${i}`));
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      const here = `${path}/${pointer(key)}`;
      if (under && !here.startsWith(under) && !under.startsWith(here)) continue;
      const saved = node[key];
      node[key] = PROBE;
      const known = schemaErrors(Model, root).some((e) => e.instancePath === here);
      node[key] = saved;
      if (known) walk(saved, here);
      else unknown.push(here);
    }
  };
  walk(root, '');
  return unknown;
};

/** Schema problems of one object: its model's validation plus unknown fields. */
export const validateObject = async (obj) => {
  const Model = await modelFor(obj?.apiVersion, obj?.kind);
  if (!Model) return [`no Kubernetes schema for apiVersion ${obj?.apiVersion}, kind ${obj?.kind} (misspelled, or a custom resource)`];
  const problems = schemaErrors(Model, obj).map(describe);
  for (const path of unknownFields(Model, obj)) problems.push(`${path}: unknown field (not in the ${obj.apiVersion} ${obj.kind} schema)`);
  return problems;
};

const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;
const FACTORS = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
export const parseQuantity = (q) => {
  const s = String(q);
  if (!QUANTITY.test(s)) return undefined;
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([eE][+-]?\d+|[A-Za-z]*)$/.exec(s);
  if (!m) return undefined;
  if (/^[eE]/.test(m[2])) return Number(m[1] + m[2]);
  return Number(m[1]) * FACTORS[m[2]];
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const matches = (selector, labels) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const decode = (b64) => Buffer.from(String(b64), 'base64').toString('utf8');

/**
 * kustomize folds long base64 values of a Secret over several lines; the API server's base64
 * decoder (Go's encoding/base64) skips the line breaks, the schema's "byte" format does not.
 */
const asApiServerReads = (obj) =>
  obj?.kind === 'Secret' && obj.data && typeof obj.data === 'object'
    ? { ...obj, data: Object.fromEntries(Object.entries(obj.data).map(([k, v]) => [k, typeof v === 'string' ? v.replace(/[\r\n]/g, '') : v])) }
    : obj;

/**
 * @param {string} label  e.g. "k8s/overlays/production"
 * @param {object[]} objects  the rendered documents
 * @param {{ apps: Map<string, object>, externalSecrets?: Map<string, string[]> }} options
 *   apps: service name -> config schema; externalSecrets: Secret name -> its keys, for Secrets
 *   that the cluster provides (not rendered from the repository)
 */
export const checkRendered = async (label, objects, { apps, externalSecrets = new Map() }) => {
  const problems = [];
  const byKind = (kind) => objects.filter((o) => o?.kind === kind);
  const named = (kind, name) => objects.find((o) => o?.kind === kind && o?.metadata?.name === name);
  const seen = new Set();

  for (const [i, obj] of objects.entries()) {
    const id = `${label}: ${obj?.kind ?? '?'} ${obj?.metadata?.name ?? `#${i + 1}`}`;
    for (const p of await validateObject(asApiServerReads(obj))) problems.push(`${id}: ${p}`);
    const name = obj?.metadata?.name;
    if (typeof name === 'string') {
      const rule = obj.kind === 'Service' || obj.kind === 'Namespace' ? DNS_LABEL : DNS_SUBDOMAIN;
      if (!rule.test(name) || name.length > (rule === DNS_LABEL ? 63 : 253)) problems.push(`${id}: metadata.name "${name}" is not a valid ${rule === DNS_LABEL ? 'DNS label' : 'DNS subdomain'} name`);
      const key = `${obj.kind}/${obj.metadata.namespace ?? ''}/${name}`;
      if (seen.has(key)) problems.push(`${id}: rendered twice`);
      seen.add(key);
    }
  }

  const namespaces = new Set(objects.filter((o) => o?.kind !== 'Namespace').map((o) => o?.metadata?.namespace));
  if (namespaces.size > 1) problems.push(`${label}: objects in several namespaces (${[...namespaces].join(', ')})`);
  const ns = byKind('Namespace').map((o) => o.metadata?.name);
  for (const n of namespaces) if (ns.length && !ns.includes(n)) problems.push(`${label}: objects in namespace ${n}, but the Namespace rendered is ${ns.join(', ')}`);

  const deployments = byKind('Deployment');
  for (const app of apps.keys()) {
    for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
      if (!named(kind, app)) problems.push(`${label}: no ${kind} ${app}`);
    }
  }

  const podEnv = new Map(); // deployment name -> resolved env of its first container
  for (const d of deployments) {
    const id = `${label}: Deployment ${d.metadata?.name}`;
    const spec = d.spec ?? {};
    const pod = spec.template?.spec ?? {};
    const podLabels = spec.template?.metadata?.labels ?? {};
    if (!matches(spec.selector?.matchLabels, podLabels)) problems.push(`${id}: spec.selector does not select its own pod template's labels`);
    const podNonRoot = pod.securityContext?.runAsNonRoot === true;
    if (pod.securityContext?.runAsUser === 0) problems.push(`${id}: runAsUser 0 (root)`);
    const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
    for (const c of containers) {
      const cid = `${id} container ${c.name}`;
      const pin = imagePinProblem(c.image);
      if (pin) problems.push(`${cid}: ${pin}`);
      if (!(podNonRoot || c.securityContext?.runAsNonRoot === true)) problems.push(`${cid}: not forced to run as non-root (securityContext.runAsNonRoot: true)`);
      if (c.securityContext?.runAsUser === 0) problems.push(`${cid}: runAsUser 0 (root)`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${cid}: securityContext.allowPrivilegeEscalation must be false`);
      if (c.securityContext?.privileged) problems.push(`${cid}: privileged`);
      for (const part of ['requests', 'limits']) {
        for (const res of ['cpu', 'memory']) {
          const q = c.resources?.[part]?.[res];
          if (q === undefined) problems.push(`${cid}: no resources.${part}.${res}`);
          else if (parseQuantity(q) === undefined) problems.push(`${cid}: resources.${part}.${res} "${q}" is not a quantity`);
        }
      }
      for (const res of ['cpu', 'memory']) {
        const req = parseQuantity(c.resources?.requests?.[res]);
        const lim = parseQuantity(c.resources?.limits?.[res]);
        if (req !== undefined && lim !== undefined && req > lim) problems.push(`${cid}: ${res} request ${c.resources.requests[res]} is above its limit ${c.resources.limits[res]}`);
      }
    }

    const c = pod.containers?.[0];
    if (!c) continue;
    const cid = `${id} container ${c.name}`;
    const portOf = (ref) => (typeof ref === 'number' ? ref : (c.ports ?? []).find((p) => p.name === ref)?.containerPort);
    for (const [probe, path] of [['readinessProbe', '/health/ready'], ['livenessProbe', '/health/live']]) {
      const get = c[probe]?.httpGet;
      if (!get) problems.push(`${cid}: no ${probe} (httpGet ${path})`);
      else {
        if (get.path !== path) problems.push(`${cid}: ${probe} on ${get.path}, expected ${path}`);
        if (portOf(get.port) === undefined) problems.push(`${cid}: ${probe} port ${get.port} is not a port of the container`);
      }
    }

    // The environment the container gets.
    const env = {};
    const elsewhere = new Set();
    const fromConfigMap = (name, optional, where) => {
      const cm = named('ConfigMap', name);
      if (!cm) {
        if (!optional) problems.push(`${cid}: ${where} ConfigMap ${name}, which is not rendered`);
        return undefined;
      }
      return { ...(cm.data ?? {}) };
    };
    const fromSecret = (name, optional, where) => {
      const s = named('Secret', name);
      if (s) return { ...Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, decode(v)])), ...(s.stringData ?? {}) };
      if (externalSecrets.has(name)) return { external: externalSecrets.get(name) };
      if (!optional) problems.push(`${cid}: ${where} Secret ${name}, which is neither rendered nor declared as provided by the cluster`);
      return undefined;
    };
    for (const ef of c.envFrom ?? []) {
      const prefix = ef.prefix ?? '';
      if (ef.configMapRef) Object.entries(fromConfigMap(ef.configMapRef.name, ef.configMapRef.optional, 'envFrom') ?? {}).forEach(([k, v]) => (env[prefix + k] = v));
      if (ef.secretRef) {
        const s = fromSecret(ef.secretRef.name, ef.secretRef.optional, 'envFrom');
        if (s?.external) s.external.forEach((k) => elsewhere.add(prefix + k));
        else Object.entries(s ?? {}).forEach(([k, v]) => (env[prefix + k] = v));
      }
    }
    for (const e of c.env ?? []) {
      if (e.value !== undefined) {
        env[e.name] = String(e.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, ref) => env[ref] ?? m);
        elsewhere.delete(e.name);
      } else if (e.valueFrom?.configMapKeyRef) {
        const ref = e.valueFrom.configMapKeyRef;
        const data = fromConfigMap(ref.name, ref.optional, `env ${e.name} reads`);
        if (data && !(ref.key in data) && !ref.optional) problems.push(`${cid}: env ${e.name} reads key ${ref.key}, which ConfigMap ${ref.name} does not have`);
        if (data?.[ref.key] !== undefined) env[e.name] = data[ref.key];
      } else if (e.valueFrom?.secretKeyRef) {
        const ref = e.valueFrom.secretKeyRef;
        const s = fromSecret(ref.name, ref.optional, `env ${e.name} reads`);
        if (s?.external) {
          if (!s.external.includes(ref.key)) problems.push(`${cid}: env ${e.name} reads key ${ref.key}, which the external Secret ${ref.name} is not declared to have`);
          elsewhere.add(e.name);
        } else if (s) {
          if (!(ref.key in s) && !ref.optional) problems.push(`${cid}: env ${e.name} reads key ${ref.key}, which Secret ${ref.name} does not have`);
          else env[e.name] = s[ref.key];
        }
      } else {
        elsewhere.add(e.name); // fieldRef, resourceFieldRef
      }
    }
    podEnv.set(d.metadata?.name, env);

    const app = apps.has(c.name) ? c.name : podLabels['app.kubernetes.io/name'];
    if (apps.has(app)) {
      // A Deployment may declare that its service refuses to start here, and why (annotation
      // closeloop.io/refuses-to-start: "<SETTING>: <reason>"): that refusal is then printed as a
      // known gap, not a problem; any other refusal still fails.
      const declared = d.metadata?.annotations?.['closeloop.io/refuses-to-start'];
      const refusedKey = declared ? declared.split(':')[0].trim() : undefined;
      for (const problem of checkServiceEnv(cid, env, apps.get(app), elsewhere)) {
        if (refusedKey && problem.startsWith(`${cid}: ${refusedKey}: `)) console.log(`validate-deploy: note ${cid} refuses to start, as its annotation declares: ${declared}`);
        else problems.push(problem);
      }
      if (env.PORT && !(c.ports ?? []).some((p) => p.containerPort === Number(env.PORT))) problems.push(`${cid}: PORT ${env.PORT} is not a containerPort`);
      if (env.OTEL_SERVICE_NAME !== app) problems.push(`${cid}: OTEL_SERVICE_NAME should be ${app} (is ${env.OTEL_SERVICE_NAME ?? 'unset'})`);
      for (const key of ['KAFKA_BROKERS', 'DATABASE_URL', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
        if (env[key] === undefined && !elsewhere.has(key)) problems.push(`${cid}: ${key} is not set (the default points at 127.0.0.1)`);
      }
      for (const [key, value] of Object.entries(env)) {
        if (/\b(localhost|127\.0\.0\.1)\b/.test(value)) problems.push(`${cid}: ${key} points at ${value}: inside a pod that is the pod itself`);
      }
    } else {
      problems.push(`${cid}: not one of the services (${[...apps.keys()].join(', ')})`);
    }
  }

  for (const s of byKind('Service')) {
    const id = `${label}: Service ${s.metadata?.name}`;
    const target = deployments.find((d) => matches(s.spec?.selector, d.spec?.template?.metadata?.labels));
    if (!target) {
      problems.push(`${id}: its selector matches no Deployment's pods`);
      continue;
    }
    const ports = target.spec.template.spec?.containers?.flatMap((c) => c.ports ?? []) ?? [];
    for (const p of s.spec?.ports ?? []) {
      const t = p.targetPort ?? p.port;
      if (!ports.some((cp) => cp.name === t || cp.containerPort === t)) problems.push(`${id}: targetPort ${t} is not a port of Deployment ${target.metadata.name}`);
    }
  }

  for (const h of byKind('HorizontalPodAutoscaler')) {
    const id = `${label}: HorizontalPodAutoscaler ${h.metadata?.name}`;
    const ref = h.spec?.scaleTargetRef ?? {};
    const target = ref.kind === 'Deployment' ? named('Deployment', ref.name) : undefined;
    if (!target) {
      problems.push(`${id}: scales ${ref.kind} ${ref.name}, which is not rendered`);
      continue;
    }
    const min = h.spec.minReplicas ?? 1;
    const max = h.spec.maxReplicas;
    if (min > max) problems.push(`${id}: minReplicas ${min} above maxReplicas ${max}`);
    if (!h.spec.metrics?.length) problems.push(`${id}: no metrics to scale on`);
    const partitions = Number(podEnv.get(ref.name)?.KAFKA_TOPIC_PARTITIONS);
    if (Number.isFinite(partitions) && max > partitions) {
      problems.push(`${id}: maxReplicas ${max} is above KAFKA_TOPIC_PARTITIONS ${partitions}: instances beyond the partition count get no partition (README, "Scaling out")`);
    }
    const usesCpu = (h.spec.metrics ?? []).some((m) => m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization');
    if (usesCpu && target.spec.template.spec.containers.some((c) => c.resources?.requests?.cpu === undefined)) problems.push(`${id}: scales on CPU utilization, but a container has no CPU request`);
    if (target.spec.replicas !== undefined) problems.push(`${label}: Deployment ${ref.name}: sets spec.replicas although HorizontalPodAutoscaler ${h.metadata.name} owns it (every apply would reset the scale)`);
  }

  for (const pdb of byKind('PodDisruptionBudget')) {
    const id = `${label}: PodDisruptionBudget ${pdb.metadata?.name}`;
    const target = deployments.find((d) => matches(pdb.spec?.selector?.matchLabels, d.spec?.template?.metadata?.labels));
    if (!target) {
      problems.push(`${id}: its selector matches no Deployment's pods`);
      continue;
    }
    if (pdb.spec.minAvailable === undefined && pdb.spec.maxUnavailable === undefined) problems.push(`${id}: neither minAvailable nor maxUnavailable`);
    const hpa = byKind('HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef?.name === target.metadata.name);
    if (typeof pdb.spec.minAvailable === 'number' && hpa && pdb.spec.minAvailable >= (hpa.spec.minReplicas ?? 1)) {
      problems.push(`${id}: minAvailable ${pdb.spec.minAvailable} is not below the HPA's minReplicas ${hpa.spec.minReplicas ?? 1}: no node could ever be drained`);
    }
    if (pdb.spec.maxUnavailable === 0 || pdb.spec.maxUnavailable === '0%') problems.push(`${id}: maxUnavailable 0 blocks every node drain`);
  }

  return problems;
};
