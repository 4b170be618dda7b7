import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { eventually } from './eventually';
import { serviceEntry, serviceList } from './service-list';
import { e2ePort } from './test-env';

const ROOT = join(__dirname, '../../..');

/** Every service, in the order of deploy/services.json. */
export const SERVICES: readonly string[] = serviceList().map((s) => s.name);
/** A service of deploy/services.json. */
export type ServiceName = string;

export interface RunningService {
  readonly name: ServiceName;
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
}

/**
 * Starts one built service (dist/) as its own process, logging to .run/logs/<prefix>-<name>.log,
 * and waits until `/health/ready` answers 200.
 */
export const startService = async (name: ServiceName, port: number, env: Record<string, string>, logPrefix = 'e2e'): Promise<RunningService> => {
  serviceEntry(name); // refuses a name deploy/services.json does not list, naming the ones it does
  // CLOSELOOP_DIST_DIR: a build of its own (npx swc apps libs -d <dir> ...) for a suite that runs beside another.
  const dist = process.env['CLOSELOOP_DIST_DIR'] ?? 'dist';
  const main = join(ROOT, dist, 'apps', name, 'src/main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx swc apps libs -d ${dist} --config-file .swcrc)`);
  const logs = join(ROOT, '.run/logs');
  mkdirSync(logs, { recursive: true });
  const log = createWriteStream(join(logs, `${logPrefix}-${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, ['--enable-source-maps', main], {
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: env['LOG_LEVEL'] ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}; see .run/logs/${logPrefix}-${name}.log`);
      const response = await fetch(`${url}/health/ready`);
      if (response.status !== 200) throw new Error(`${name} not ready: ${response.status}`);
    },
    60000,
    250,
  ).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return { name, port, url, process: child };
};

/** Stops a service with SIGTERM (graceful shutdown), or SIGKILL after the grace period. */
export const stopService = async (service: RunningService, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15000): Promise<void> => {
  const child = service.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
};

/** JSON over HTTP: status and parsed body (typed loosely: tests assert on its shape). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies of any shape, checked by the assertions
export const http = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> => {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: response.status, body: parsed };
};

/** The port of each service in one suite; a name deploy/services.json does not list is refused. */
export type PortOf = (name: ServiceName) => number;

/** The services' ports of one suite: `base` for the first, then one each in SERVICES order (moved by E2E_PORT_OFFSET). */
export const servicePorts = (base: number): PortOf => {
  const ports = new Map(SERVICES.map((name, i) => [name, e2ePort(base + i)]));
  return (name) => {
    const port = ports.get(name);
    if (port === undefined) throw new Error(`${name} is not a service of deploy/services.json (services: ${SERVICES.join(', ')})`);
    return port;
  };
};
