import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * One service of deploy/services.json, the one list of the services (docs/architecture.md, "The
 * list of services"). The scripts read it with tools/services/service-list.mjs, which also
 * says what each field means; tools/validate-deploy.sh checks the file and the deployment files.
 */
export interface ServiceEntry {
  readonly name: string;
  readonly kind: 'intake' | 'domain' | 'assurance';
  /** The first segment of the topics it publishes; for a domain service also its step owner. */
  readonly owner: string;
  readonly port: number;
  readonly schema: string;
  readonly consumerGroup: string;
  readonly simulators: boolean;
}

const LIST = 'deploy/services.json';

/** The repository's deploy/services.json, found upwards from here (from the sources or from dist/). */
const listFile = (): string => {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, LIST))) return join(dir, LIST);
    if (dirname(dir) === dir) throw new Error(`${LIST} not found above ${__dirname}`);
  }
};

let cached: readonly ServiceEntry[] | undefined;

/** The services, in the order of deploy/services.json. */
export const serviceList = (): readonly ServiceEntry[] => {
  if (!cached) {
    const doc = JSON.parse(readFileSync(listFile(), 'utf8')) as { services?: unknown };
    if (!Array.isArray(doc.services)) throw new Error(`${LIST}: no "services" array (node tools/services/service-list.mjs names the problems)`);
    cached = doc.services as ServiceEntry[];
  }
  return cached;
};

/** The entry of one service; a name the list does not have is refused, naming the ones it has. */
export const serviceEntry = (name: string): ServiceEntry => {
  const entry = serviceList().find((s) => s.name === name);
  if (!entry) throw new Error(`${name} is not a service of ${LIST} (services: ${serviceList().map((s) => s.name).join(', ')})`);
  return entry;
};
