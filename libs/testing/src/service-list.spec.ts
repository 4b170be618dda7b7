import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { serviceEntry, serviceList } from './service-list';
import { servicePorts, SERVICES } from './service-processes';

const FILE = join(__dirname, '../../../deploy/services.json');

describe('the list of services, as the tests read it', () => {
  it('is deploy/services.json, in its order', () => {
    const doc = JSON.parse(readFileSync(FILE, 'utf8')) as { services: { name: string }[] };
    expect(serviceList().map((s) => s.name)).toEqual(doc.services.map((s) => s.name));
    expect(SERVICES).toEqual(doc.services.map((s) => s.name));
  });

  it('names one entry by its name, and refuses a name it does not have', () => {
    expect(serviceEntry('intake')).toMatchObject({ name: 'intake', consumerGroup: 'closeloop.intake' });
    expect(() => serviceEntry('billing-domain')).toThrow(/billing-domain is not a service of deploy\/services\.json \(services: intake, /);
  });

  it("gives a suite's services one port each from its base, in the list's order", () => {
    const port = servicePorts(4000);
    expect(SERVICES.map((name) => port(name))).toEqual(SERVICES.map((_, i) => 4000 + i + Number(process.env['E2E_PORT_OFFSET'] ?? 0)));
    expect(() => port('billing-domain')).toThrow(/billing-domain is not a service of deploy\/services\.json/);
  });
});
