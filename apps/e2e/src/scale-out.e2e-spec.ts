import { AccessVerifiedV1, OutcomeConfirmedV1 } from '@closeloop/contracts';
import {
  distinctEventIds,
  dropDatabase,
  e2eDatabaseUrl,
  eventually,
  http,
  newHireRequest,
  readTopic,
  type RunningService,
  serviceList,
  servicePorts,
  sql,
  startService,
  startTestIdentityProvider,
  stopService,
  testEnv,
  type TestIdentityProvider,
  testKafka,
} from '@closeloop/testing';

/**
 * Two instances of each domain service and of assurance share their consumer groups' partitions.
 * Under load, one instance of each is stopped and started again (two rebalances): every journey
 * is still confirmed exactly once, and no step takes effect twice.
 */
const DATABASE_URL = e2eDatabaseUrl('closeloop_scale');
const JOURNEYS = 240;
const IN_FLIGHT = 24;
/** Each domain service and assurance (deploy/services.json): two instances of each. */
const SCALED = serviceList().filter((s) => s.kind !== 'intake').map((s) => s.name);
const BASE_PORT = servicePorts(3200);

let env: Record<string, string> = { DATABASE_URL, KAFKA_BROKERS: testEnv().KAFKA_BROKERS, LOG_LEVEL: 'warn' };
const db = <T = Record<string, unknown>>(text: string, values: unknown[] = []) => sql<T>(text, values, DATABASE_URL);

let intake: RunningService;
let idp: TestIdentityProvider;
let requester: { authorization: string };
const first: RunningService[] = [];
const second: RunningService[] = [];

beforeAll(async () => {
  await dropDatabase(DATABASE_URL);
  idp = await startTestIdentityProvider();
  requester = await idp.headers({ sub: 'scale-test@acme.test', roles: ['requester'], expiresIn: '2h' });
  env = { ...env, ...idp.env };
  intake = await startService('intake', BASE_PORT('intake'), env, 'scale');
  for (const name of SCALED) first.push(await startService(name, BASE_PORT(name), env, 'scale-1'));
  for (const name of SCALED) second.push(await startService(name, BASE_PORT(name) + 10, env, 'scale-2'));
}, 240000);

afterAll(async () => {
  await Promise.all([intake, ...first, ...second].filter(Boolean).map((s) => stopService(s)));
  await idp?.stop();
});

it(
  'confirms every journey exactly once while instances leave and rejoin their consumer groups',
  async () => {
    const ids: string[] = [];
    const employees: string[] = [];
    let submitted = 0;
    const submitOne = async () => {
      const body = newHireRequest();
      employees.push(body.subject.employeeId);
      const response = await http('POST', `${intake.url}/journeys`, body, requester);
      expect(response.status).toBe(202);
      ids.push(response.body.requestId);
    };
    const load = (async () => {
      while (submitted < JOURNEYS) {
        const wave = Math.min(IN_FLIGHT, JOURNEYS - submitted);
        submitted += wave;
        await Promise.all(Array.from({ length: wave }, submitOne));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    // A third of the way in: stop one instance of each scaled service, then start it again.
    await eventually(() => expect(submitted).toBeGreaterThanOrEqual(JOURNEYS / 3), 60000, 20);
    await Promise.all(second.map((s) => stopService(s)));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const restarted = await Promise.all(second.map((s) => startService(s.name, s.port, env, 'scale-2')));
    second.splice(0, second.length, ...restarted);
    await load;

    await eventually(
      async () => {
        const [row] = await db<{ n: number }>('SELECT count(*)::int AS n FROM assurance.outcomes WHERE request_id = ANY($1::uuid[])', [ids]);
        expect(row?.n).toBe(JOURNEYS);
      },
      120000,
      500,
    );
    const count = async (text: string, values: unknown[]) => (await db<{ n: number }>(text, values))[0]?.n;
    expect(await count('SELECT count(DISTINCT request_id)::int AS n FROM assurance.outcomes WHERE request_id = ANY($1::uuid[])', [ids])).toBe(JOURNEYS);
    // One confirmation and one access grant per journey: distinct events on the topics.
    const mine = new Set(ids);
    const kafka = testKafka('scale-out');
    for (const topic of [OutcomeConfirmedV1.topic, AccessVerifiedV1.topic]) {
      const events = await readTopic(kafka, topic, (m) => mine.has(m.message.key?.toString() ?? ''));
      expect(distinctEventIds(events).size).toBe(JOURNEYS);
      expect(new Set(events.map((m) => m.message.key?.toString())).size).toBe(JOURNEYS);
    }
    expect(await count("SELECT count(*)::int AS n FROM identity.accounts WHERE request_id = ANY($1::uuid[]) AND status = 'verified'", [ids])).toBe(JOURNEYS);
    expect(await count('SELECT count(*)::int AS n FROM identity.sim_directory_users WHERE employee_id = ANY($1::text[])', [employees])).toBe(JOURNEYS);
    expect(await count("SELECT count(*)::int AS n FROM device.sim_devices WHERE assigned_to = ANY($1::text[]) AND status = 'assigned'", [employees])).toBe(JOURNEYS);
    expect(await count("SELECT count(*)::int AS n FROM device.device_assignments WHERE request_id = ANY($1::uuid[]) AND status = 'verified'", [ids])).toBe(JOURNEYS);
  },
  300000,
);
