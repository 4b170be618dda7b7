import fc from 'fast-check';

/**
 * Hostile values, for a field of a body or the whole of it. `raw` is JSON text put in the body as
 * it is (numbers JavaScript cannot hold, nesting deeper than any stringify should walk); the
 * others are JavaScript values serialised with JSON.stringify.
 */
export type HostileValue = { readonly raw: string } | { readonly value: unknown };

const value = (v: unknown): HostileValue => ({ value: v });
const raw = (text: string): HostileValue => ({ raw: text });

/** Keys that reach `Object.prototype` when code indexes an object with what the caller sent. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'];

/** Numbers at and past what a double holds, and the strings that parse as them. */
const NUMBER_TOKENS = ['1e309', '-1e309', '-0', '1e-400', '123456789012345678901234567890', '9007199254740993', '-9223372036854775809', '0.0000000000000000000001', '1E+400'];
const NUMBERISH_STRINGS = ['NaN', '-NaN', 'Infinity', '-Infinity', '1e309', '-0', '0x1F', '1_000', '', ' ', '٣', '1e', '.5', '+1', '00', 'null', 'undefined', 'true'];

/** Dates PostgreSQL or JavaScript cannot hold, or nobody means. */
export const HOSTILE_DATES = [
  '0000-01-01T00:00:00Z',
  '99999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00.001Z',
  '-000001-01-01T00:00:00Z',
  '2025-02-30T00:00:00Z',
  '2025-13-01T00:00:00Z',
  '2025-01-01T25:61:61Z',
  '1969-12-31T23:59:59Z',
  '1970-01-01T00:00:00+99:99',
  '9999-12-31T23:59:59.999999999Z',
  '10000-01-01T00:00:00Z',
  '0000-00-00',
  '2025-01-01',
  'yesterday',
];

/** Strings other systems have choked on: injections, control and formatting characters. */
const NASTY_STRINGS = [
  "' OR '1'='1' --",
  '"; DROP TABLE journeys; --',
  '${jndi:ldap://127.0.0.1/x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%s%s%s%n',
  'line\r\nX-Injected: yes',
  '\u202Eevil\u202C',
  '\u200B\u200C\u200D\uFEFF',
  '😀'.repeat(50),
  'é',
  '\u0001\u0002\u001F\u007F',
  'a\\u0000b',
];

const deepArrays = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const deepObjects = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** Deep nesting: hundreds to thousands of levels, as arrays or objects. */
export const deepNesting = (min = 101, max = 3000): fc.Arbitrary<HostileValue> =>
  fc.tuple(fc.integer({ min, max }), fc.boolean()).map(([levels, arrays]) => raw(arrays ? deepArrays(levels) : deepObjects(levels)));

/** A string with a NUL inside. */
export const withNul = fc.string({ maxLength: 20 }).map((s) => `${s}\u0000${s}`);
/** A string with a lone UTF-16 surrogate inside (a high one without its low half, or a low one alone). */
export const withLoneSurrogate = fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D')).map(([s, half]) => `${s}${half}${s}`);

/** An object whose own keys are prototype keys (JSON.parse makes `__proto__` an own key, as a body parser does). */
const prototypeObject = fc
  .tuple(fc.subarray(PROTOTYPE_KEYS, { minLength: 1 }), fc.constantFrom<unknown>({ polluted: true }, 'polluted', 1, null, [], { prototype: { polluted: true } }))
  .map(([keys, inner]) => JSON.parse(`{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(inner)}`).join(',')}}`) as unknown);

/** Hostile strings: what a field that takes text gets instead (prototype keys first: they steer lookups). */
export const hostileString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
    { weight: 3, arbitrary: withNul },
    { weight: 3, arbitrary: withLoneSurrogate },
    { weight: 2, arbitrary: fc.integer({ min: 1000, max: 300_000 }).map((n) => 'x'.repeat(n)) },
    { weight: 2, arbitrary: fc.constantFrom(...NUMBERISH_STRINGS) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_DATES) },
    { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  );

/** The hostile values a field of a body (or a whole body) is replaced with. */
export const hostileValue = (): fc.Arbitrary<HostileValue> =>
  fc.oneof(
    { weight: 6, arbitrary: hostileString().map(value) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(value) },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.constant({}), fc.constant([])).map(value) },
    { weight: 2, arbitrary: deepNesting() },
    { weight: 2, arbitrary: prototypeObject.map(value) },
    { weight: 2, arbitrary: fc.constantFrom(...NUMBER_TOKENS).map(raw) },
    { weight: 1, arbitrary: fc.integer({ min: 51, max: 5000 }).map((n) => value(Array.from({ length: n }, (_, i) => `item-${i}`))) },
  );

/** A hostile value for a query-string parameter or a path segment, as raw (already percent-encoded) text. */
export const hostileUrlText = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 60 }).map(encodeURIComponent) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, ''))) },
    { weight: 2, arbitrary: withNul.map((s) => encodeURIComponent(s)) },
    { weight: 2, arbitrary: fc.constantFrom('%00', 'a%00b', '%ED%A0%80', '%ED%BF%BF', '%FF%FE', '%C0%AF', '%', '%zz', '%2', '%E2%82', '..', '%2e%2e', '%2F', '%5C', '+', '%20') },
    { weight: 2, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS, 'constructor[prototype][polluted]', '__proto__[polluted]', 'a[b][c][d]') },
    { weight: 2, arbitrary: fc.constantFrom(...NUMBERISH_STRINGS, ...NUMBER_TOKENS, '-1', '0', '501', '1000000', '99999999999999999999').map(encodeURIComponent) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_DATES).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.integer({ min: 300, max: 6000 }).map((n) => 'a'.repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom(...FILTERS).map(encodeURIComponent) },
  );

/** SCIM filter expressions (RFC 7644 §3.4.2.2), broken and valid: a filter parser is a classic source of 500s. */
const FILTERS = ['userName eq "a"', 'userName eq', '((((', 'userName eq "a" and', 'emails[type eq "work" and value co "@"]', 'meta.lastModified gt "0000-01-01T00:00:00Z"', 'not (userName pr)', 'userName sw "\\"', '__proto__ eq "x"', 'a eq "b" or '.repeat(200)];

/** Query-string keys: the names the services read, prototype keys, bracket syntax, anything. */
const QUERY_KEYS = ['limit', 'cursor', 'after', 'before', 'from', 'to', 'principal', 'reason', 'status', 'type', 'id', 'page', 'offset', 'filter', 'startIndex', 'count', 'attributes', 'excludedAttributes', 'sortBy', ...PROTOTYPE_KEYS, 'a[b]', 'constructor[prototype][x]', '', '%00', '%ED%A0%80'];

/** A hostile query string (without `?`): one to six pairs, keys repeated at times. */
export const hostileQuery = (): fc.Arbitrary<string> =>
  fc
    .array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUERY_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent) }), hostileUrlText()), { minLength: 1, maxLength: 6 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'));

/** Content types a JSON API should refuse a body in, and a few JSON ones with odd parameters. */
export const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/xml',
  'application/octet-stream',
  'application/jsonx',
  'json',
  'text/json',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=utf-8',
  'application/merge-patch+json',
  'APPLICATION/JSON',
];
