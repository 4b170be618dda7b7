// Checks of the observability configuration in deploy/: the Prometheus scrape config, the
// OpenTelemetry Collector config, the Grafana datasources and the dashboards. Addresses are
// checked against the services of docker-compose.yml (name -> listening ports).

import { endpointsIn } from './endpoints.mjs';

/** The metric series the services expose (fixed names; see README, "Operate it"). */
export const METRICS = {
  counters: [
    'closeloop_events_consumed_total',
    'closeloop_events_produced_total',
    'closeloop_events_dead_lettered_total',
    'closeloop_journeys_started_total',
    'closeloop_journeys_stalled_total',
    'closeloop_journeys_escalated_total',
    'closeloop_journeys_confirmed_total',
    'closeloop_journeys_compensated_total',
  ],
  gauges: [
    'closeloop_outbox_backlog',
    'closeloop_outbox_oldest_age_seconds',
    'closeloop_consumer_lag',
    'closeloop_journeys_in_flight',
    'closeloop_journeys_first_time_right_ratio',
    'closeloop_journeys_exception_ratio',
  ],
  histograms: ['closeloop_handler_duration_seconds', 'closeloop_journey_time_to_fulfil_seconds'],
};

/** Series names a query may use: counters and gauges as they are, histograms through their parts. */
const querySeries = () => {
  const names = new Map();
  for (const m of [...METRICS.counters, ...METRICS.gauges]) names.set(m, m);
  for (const h of METRICS.histograms) for (const part of ['_bucket', '_sum', '_count']) names.set(h + part, h);
  return names;
};

const checkAddress = (where, value, services, problems) => {
  for (const ep of endpointsIn(value)) {
    if (ep.kind !== 'host') continue;
    const ports = services.get(ep.host);
    if (!ports) problems.push(`${where}: ${ep.host}:${ep.port} is not a service of docker-compose.yml (services: ${[...services.keys()].join(', ')})`);
    else if (!ports.has(ep.port)) problems.push(`${where}: ${ep.host} does not listen on ${ep.port} (it listens on ${[...ports].join(', ')})`);
  }
};

/**
 * @param {object} config  deploy/prometheus/prometheus.yml, parsed
 * @param {Map<string, Set<number>>} services  compose services and their ports
 * @param {Map<string, number>} appPorts  each application service and the port it serves /metrics on
 */
export const checkPrometheus = (config, services, appPorts) => {
  const problems = [];
  const at = 'deploy/prometheus/prometheus.yml';
  const jobs = config?.scrape_configs;
  if (!Array.isArray(jobs) || jobs.length === 0) return [`${at}: no scrape_configs`];
  const scraped = new Set();
  const jobNames = new Set();
  for (const job of jobs) {
    if (!job.job_name) problems.push(`${at}: a scrape config without job_name`);
    else if (jobNames.has(job.job_name)) problems.push(`${at}: job_name ${job.job_name} twice`);
    jobNames.add(job.job_name);
    for (const sc of job.static_configs ?? []) {
      for (const target of sc.targets ?? []) {
        checkAddress(`${at} job ${job.job_name}`, target, services, problems);
        const [host, port] = String(target).split(':');
        if (appPorts.get(host) === Number(port) && (job.metrics_path ?? '/metrics') === '/metrics') scraped.add(host);
      }
    }
  }
  for (const app of appPorts.keys()) {
    if (!scraped.has(app)) problems.push(`${at}: does not scrape ${app}:${appPorts.get(app)}/metrics`);
  }
  return problems;
};

/**
 * @param {object} config  deploy/otel-collector/config.yaml, parsed
 * @param {number[]} appOtlpPorts  the ports the services send OTLP to (from their OTEL_EXPORTER_OTLP_ENDPOINT)
 */
export const checkCollector = (config, services, appOtlpPorts) => {
  const problems = [];
  const at = 'deploy/otel-collector/config.yaml';
  const sections = ['receivers', 'processors', 'exporters', 'extensions', 'connectors'];
  const defined = Object.fromEntries(sections.map((s) => [s, new Set(Object.keys(config?.[s] ?? {}))]));
  const pipelines = config?.service?.pipelines ?? {};
  if (!pipelines.traces) problems.push(`${at}: no traces pipeline`);
  for (const [pipeline, p] of Object.entries(pipelines)) {
    for (const kind of ['receivers', 'processors', 'exporters']) {
      const list = p?.[kind] ?? [];
      if (kind !== 'processors' && list.length === 0) problems.push(`${at}: pipeline ${pipeline} has no ${kind}`);
      for (const id of list) {
        if (!defined[kind].has(id) && !defined.connectors.has(id)) problems.push(`${at}: pipeline ${pipeline} uses ${kind.slice(0, -1)} ${id}, which is not defined under ${kind}`);
      }
    }
  }
  for (const id of config?.service?.extensions ?? []) {
    if (!defined.extensions.has(id)) problems.push(`${at}: service.extensions names ${id}, which is not defined under extensions`);
  }
  for (const [id, exporter] of Object.entries(config?.exporters ?? {})) {
    if (exporter?.endpoint) checkAddress(`${at} exporter ${id}`, exporter.endpoint, services, problems);
  }
  const receiverPorts = new Set();
  for (const receiver of Object.values(config?.receivers ?? {})) {
    for (const proto of Object.values(receiver?.protocols ?? {})) {
      const m = /:(\d+)$/.exec(proto?.endpoint ?? '');
      if (m) receiverPorts.add(Number(m[1]));
      if (proto?.endpoint && /^(localhost|127\.0\.0\.1):/.test(proto.endpoint)) problems.push(`${at}: receiver endpoint ${proto.endpoint} only accepts connections from inside its own container`);
    }
  }
  for (const port of appOtlpPorts) {
    if (!receiverPorts.has(port)) problems.push(`${at}: the services send OTLP to port ${port}, but no receiver listens there (receivers: ${[...receiverPorts].join(', ') || 'none'})`);
  }
  return problems;
};

/** @returns {{ problems: string[], uids: Map<string, string> }} uids: datasource uid -> type */
export const checkDatasources = (config, services) => {
  const problems = [];
  const at = 'deploy/grafana/provisioning/datasources';
  const uids = new Map();
  for (const ds of config?.datasources ?? []) {
    if (!ds.uid) problems.push(`${at}: datasource ${ds.name} has no uid (dashboards refer to datasources by uid)`);
    else if (uids.has(ds.uid)) problems.push(`${at}: uid ${ds.uid} twice`);
    else uids.set(ds.uid, ds.type);
    if (!ds.type) problems.push(`${at}: datasource ${ds.name} has no type`);
    if (ds.url) checkAddress(`${at} ${ds.name}`, ds.url, services, problems);
  }
  for (const type of ['prometheus', 'jaeger']) {
    if (![...uids.values()].includes(type)) problems.push(`${at}: no ${type} datasource`);
  }
  return { problems, uids };
};

const walkPanels = (panels, out = []) => {
  for (const p of panels ?? []) {
    out.push(p);
    if (p.panels) walkPanels(p.panels, out);
  }
  return out;
};

/**
 * @param {object} dashboard   a dashboard JSON
 * @param {Map<string,string>} uids  provisioned datasource uid -> type
 * @param {{ requireAllMetrics?: boolean }} options
 */
export const checkDashboard = (file, dashboard, uids, { requireAllMetrics = false } = {}) => {
  const problems = [];
  const at = file;
  if (!dashboard?.uid) problems.push(`${at}: no uid`);
  if (!dashboard?.title) problems.push(`${at}: no title`);
  const series = querySeries();
  const used = new Set();
  const checkDs = (where, ds) => {
    if (ds === undefined || ds === null) return;
    if (typeof ds === 'string') {
      if (!ds.startsWith('$')) problems.push(`${where}: refers to datasource "${ds}" by name; use {type, uid}`);
      return;
    }
    if (ds.uid && !ds.uid.startsWith('$') && ds.uid !== '-- Grafana --' && !uids.has(ds.uid)) {
      problems.push(`${where}: datasource uid ${ds.uid} is not provisioned (provisioned: ${[...uids.keys()].join(', ')})`);
    } else if (ds.uid && uids.has(ds.uid) && ds.type && uids.get(ds.uid) !== ds.type) {
      problems.push(`${where}: datasource ${ds.uid} is of type ${uids.get(ds.uid)}, not ${ds.type}`);
    }
  };
  const checkQuery = (where, expr) => {
    for (const [name] of String(expr).matchAll(/\bcloseloop_[a-z0-9_]+/g)) {
      if (!series.has(name)) problems.push(`${where}: unknown series ${name} (the services expose: ${[...series.keys()].join(', ')})`);
      else used.add(series.get(name));
    }
  };
  const ids = new Set();
  const panels = walkPanels(dashboard?.panels);
  if (panels.length === 0) problems.push(`${at}: no panels`);
  for (const panel of panels) {
    const where = `${at} panel "${panel.title ?? panel.id}"`;
    if (panel.id === undefined) problems.push(`${where}: no id`);
    else if (ids.has(panel.id)) problems.push(`${where}: id ${panel.id} used twice`);
    ids.add(panel.id);
    if (!panel.gridPos) problems.push(`${where}: no gridPos`);
    if (panel.type === 'row') continue;
    checkDs(where, panel.datasource);
    for (const target of panel.targets ?? []) {
      checkDs(`${where} query ${target.refId}`, target.datasource);
      if (target.expr !== undefined) {
        if (!String(target.expr).trim()) problems.push(`${where} query ${target.refId}: empty expression`);
        checkQuery(`${where} query ${target.refId}`, target.expr);
      }
    }
  }
  for (const v of dashboard?.templating?.list ?? []) {
    checkDs(`${at} variable ${v.name}`, v.datasource);
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (q) checkQuery(`${at} variable ${v.name}`, q);
  }
  if (requireAllMetrics) {
    for (const m of [...METRICS.counters, ...METRICS.gauges, ...METRICS.histograms]) {
      if (!used.has(m)) problems.push(`${at}: no panel shows ${m}`);
    }
  }
  return problems;
};
