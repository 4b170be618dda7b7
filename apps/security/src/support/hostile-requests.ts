import fc from 'fast-check';

import { CONTENT_TYPES, deepNesting, hostileQuery, hostileString, hostileUrlText, hostileValue, PROTOTYPE_KEYS, withLoneSurrogate, withNul } from './hostile-values';
import { bodyMustRefuse, MAX_BODY_BYTES, paramsMustRefuse, queryMustRefuse } from './must-refuse';
import { mutate, type Mutation, type Place, placesOf } from './mutations';
import type { CollectedRoute } from './routes';

/** One request as the property sends it; printed short in fast-check's counterexample. */
export interface HostileRequest {
  readonly kind: string;
  readonly method: string;
  /** Path and query, raw (percent-encoded as sent). */
  readonly path: string;
  readonly contentType?: string;
  readonly body?: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  /** Why the request must be refused with a 4xx (it cannot be valid anywhere), or null: then only "never 5xx" holds. */
  readonly mustRefuse: string | null;
}

/** What a route needs besides its metadata: a valid body to mutate, ids that exist, headers it reads. */
export interface RouteSample {
  /** A valid body; `id` is a fresh UUID for unique names. */
  readonly body?: (id: string) => unknown;
  /** Path parameter values that exist (a journey, a task), tried besides random UUIDs and hostile text. */
  readonly params?: Readonly<Record<string, readonly string[]>>;
  /** Headers the route reads, hostile or not (e.g. Idempotency-Key). */
  readonly headers?: fc.Arbitrary<Record<string, string>>;
}

const mutation = (): fc.Arbitrary<Mutation> =>
  fc.oneof(
    { weight: 6, arbitrary: hostileValue().map((value) => ({ op: 'replace' as const, value })) },
    { weight: 1, arbitrary: fc.constant({ op: 'delete' as const }) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'extra', 'requestedBy', 'operator', 'roles', 'admin'), withNul, withLoneSurrogate), hostileValue())
        .map(([key, value]) => ({ op: 'add' as const, key, value })),
    },
    { weight: 2, arbitrary: hostileString().map((text) => ({ op: 'replace-strings' as const, text })) },
  );

/** Raw bodies that are not JSON, or JSON that parsers disagree on. */
const RAW_TEXTS = ['{"a":', '{a:1}', "{'a':1}", 'undefined', 'NaN', '\uFEFF{}', '{"a":1}garbage', '{}{}', '[1,]', '{"a":1,}', '   ', '{"a":"\\x41"}', '{"a":"\\ud800"}', '{"a\\u0000":1}', '{"__proto__":{"admin":true}}', '{"a":1,"a":{"b":2}}'];

const INVALID_UTF8 = [Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80])];

interface BodyChoice {
  readonly kind: string;
  readonly contentType?: string;
  readonly body?: Buffer;
}

const json = (kind: string, text: string, contentType = 'application/json'): BodyChoice => ({ kind, contentType, body: Buffer.from(text, 'utf8') });

/** Hostile bodies for a write route: mutations of its valid sample mostly, and bodies that are not what anyone should parse. */
const hostileBody = (sample: RouteSample['body']): fc.Arbitrary<BodyChoice> => {
  const valid = (id: string): unknown => (sample ? sample(id) : {});
  // Three times in four a leaf (a field's value), else any place (an object, an array, the root).
  const mutated = fc
    .tuple(fc.uuid(), fc.nat(), fc.integer({ min: 0, max: 3 }), mutation())
    .map(([id, pick, leafFirst, m]) => {
      const base = valid(id);
      const places = placesOf(base);
      const leaves = places.filter((p) => p.leaf);
      const pool = leafFirst < 3 && leaves.length > 0 ? leaves : places;
      const { path } = pool[pick % pool.length] as Place;
      const where = m.op === 'replace-strings' ? 'every string' : path.length ? path.join('.') : '(root)';
      return json(`mutated body (${m.op} at ${where})`, mutate(base, path, m));
    });
  return fc.oneof(
    { weight: 10, arbitrary: mutated },
    { weight: 2, arbitrary: hostileValue().map((v) => json('hostile value as the whole body', 'raw' in v ? v.raw : (JSON.stringify(v.value) ?? 'null'))) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...RAW_TEXTS), fc.string({ unit: 'binary', minLength: 1, maxLength: 60 })).map((t) => json('raw text', t)) },
    { weight: 1, arbitrary: fc.tuple(fc.uuid(), fc.constantFrom(...CONTENT_TYPES)).map(([id, type]) => json(`content type ${type}`, JSON.stringify(valid(id)), type)) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.uuid(), fc.constantFrom(...INVALID_UTF8)).map(([id, bytes]) => {
        const text = JSON.stringify(valid(id));
        const at = Math.max(1, text.indexOf('":"') + 3);
        return { kind: 'invalid UTF-8 in the body', contentType: 'application/json', body: Buffer.concat([Buffer.from(text.slice(0, at)), bytes, Buffer.from(text.slice(at))]) };
      }),
    },
    { weight: 1, arbitrary: fc.integer({ min: MAX_BODY_BYTES + 1, max: 900_000 }).map((n) => json('huge body', `{"a":"${'x'.repeat(n)}"}`)) },
    { weight: 1, arbitrary: deepNesting(33, 4000).map((v) => json('deeply nested body', 'raw' in v ? v.raw : '[]')) },
    { weight: 1, arbitrary: fc.constantFrom<BodyChoice>({ kind: 'no body' }, { kind: 'empty JSON body', contentType: 'application/json', body: Buffer.alloc(0) }) },
  );
};

export const fillPath = (route: CollectedRoute, values: Readonly<Record<string, string>>): string => route.path.replace(/:(\w+)/g, (_, name: string) => values[name] ?? '');

/** Values for each path parameter: random UUIDs, ids that exist, and hostile text (not UUIDs, encodings that do not decode). */
const paramValues = (route: CollectedRoute, known: RouteSample['params'] = {}, hostileWeight = 2): fc.Arbitrary<Record<string, string>> =>
  fc.record(
    Object.fromEntries(
      route.params.map((name) => {
        const existing = known[name] ?? [];
        const choices = [
          { weight: 3, arbitrary: fc.uuid() },
          { weight: hostileWeight, arbitrary: hostileUrlText() },
          ...(existing.length > 0 ? [{ weight: 3, arbitrary: fc.constantFrom(...existing) }] : []),
        ];
        return [name, fc.oneof(...choices)];
      }),
    ),
  );

const describe = (req: Omit<HostileRequest, 'mustRefuse'>): string => {
  const body = req.body ? `${req.body.length} bytes ${JSON.stringify(req.body.subarray(0, 300).toString('utf8'))}${req.body.length > 300 ? '…' : ''}` : 'none';
  return `${req.kind}: ${req.method} ${req.path.length > 300 ? `${req.path.slice(0, 300)}…(${req.path.length} chars)` : req.path} content-type=${JSON.stringify(req.contentType ?? null)} headers=${JSON.stringify(req.headers ?? {})} body=${body}`;
};

export const build = (req: Omit<HostileRequest, 'mustRefuse'>, mustRefuse: string | null): HostileRequest => {
  const built: HostileRequest = { ...req, mustRefuse };
  // fast-check prints the counterexample with this: short, whatever the size of the body.
  Object.defineProperty(built, fc.toStringMethod, { value: () => `${describe(req)} mustRefuse=${JSON.stringify(mustRefuse)}`, enumerable: false });
  return built;
};

/** Requests for a write route (POST, PUT, PATCH, DELETE): hostile bodies, mostly, with hostile parameters and query strings at times. */
export const hostileWriteRequests = (route: CollectedRoute, sample: RouteSample = {}): fc.Arbitrary<HostileRequest> =>
  fc
    .record({
      params: paramValues(route, sample.params, 1),
      query: fc.option(hostileQuery(), { freq: 6 }),
      body: hostileBody(route.takesBody ? sample.body : undefined),
      headers: sample.headers ?? fc.constant({}),
    })
    .map(({ params, query, body, headers }) => {
      const values = Object.values(params);
      const path = `${fillPath(route, params)}${query === null ? '' : `?${query}`}`;
      const why = paramsMustRefuse(values) ?? (query === null ? null : queryMustRefuse(query)) ?? bodyMustRefuse(body.body, body.contentType, route.takesBody);
      return build({ kind: body.kind, method: route.method, path, contentType: body.contentType, body: body.body, headers }, why);
    });

/** Requests for a read route with path parameters or a query: hostile parameters and query strings. */
export const hostileReadRequests = (route: CollectedRoute, sample: RouteSample = {}): fc.Arbitrary<HostileRequest> =>
  fc.record({ params: paramValues(route, sample.params), query: hostileQuery() }).map(({ params, query }) =>
    build({ kind: 'hostile query string and parameters', method: route.method, path: `${fillPath(route, params)}?${query}` }, paramsMustRefuse(Object.values(params)) ?? queryMustRefuse(query)),
  );
