import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { kafkaConnectionOptions } from './kafka';

describe('kafkaConnectionOptions', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'kafka-ca-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('connects in plain text without credentials when nothing is configured (the local broker)', () => {
    expect(kafkaConnectionOptions({})).toEqual({});
  });

  it('passes SCRAM credentials to kafkajs', () => {
    expect(kafkaConnectionOptions({ sasl: { mechanism: 'scram-sha-512', username: 'closeloop-intake', password: 'pw' } })).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'closeloop-intake', password: 'pw' },
    });
  });

  it('verifies the brokers against the system CAs, or against the CA file it reads', () => {
    expect(kafkaConnectionOptions({ ssl: { rejectUnauthorized: true } })).toEqual({ ssl: true });
    const caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(kafkaConnectionOptions({ ssl: { caFile, rejectUnauthorized: true } })).toEqual({
      ssl: { ca: ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'], rejectUnauthorized: true },
    });
    expect(kafkaConnectionOptions({ ssl: { rejectUnauthorized: false } })).toEqual({ ssl: { rejectUnauthorized: false } });
  });

  it('names a CA file it cannot read', () => {
    expect(() => kafkaConnectionOptions({ ssl: { caFile: join(dir, 'missing.crt'), rejectUnauthorized: true } })).toThrow(/the Kafka TLS CA file .*missing\.crt cannot be read \(ENOENT\)/);
  });
});
