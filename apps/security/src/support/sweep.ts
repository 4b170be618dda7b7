import { build, fillPath, type HostileRequest, type RouteSample } from './hostile-requests';
import type { HostileValue } from './hostile-values';
import { bodyMustRefuse, paramsMustRefuse, queryMustRefuse } from './must-refuse';
import { mutate, placesOf } from './mutations';
import type { CollectedRoute } from './routes';

/** The values every field, parameter and query parameter meets in the sweep, whatever the random runs draw. */
const CRITICAL_VALUES: readonly HostileValue[] = [
  { value: 'nul\u0000inside' },
  { value: 'half\uD800surrogate' },
  { value: 'constructor' },
  { value: '__proto__' },
  { raw: `${'['.repeat(200)}${']'.repeat(200)}` },
  { raw: '1e309' },
  { value: '0000-01-01T00:00:00Z' },
  { value: '99999-12-31T23:59:59Z' },
  { value: -1 },
];
const CRITICAL_URL_TEXT = ['%00', 'a%00b', '%ED%A0%80', 'not-a-uuid', '..', '__proto__', 'constructor', '0000-01-01T00:00:00Z', '99999-12-31T23:59:59Z', '-1', '1e309', 'NaN', 'a'.repeat(3000)];
const SWEPT_QUERY_KEYS = ['limit', 'cursor', 'after', 'before', 'from', 'to', 'principal', 'reason', 'status', 'filter', '__proto__'];
/** At most this many fields of a sample are swept (a policy document has hundreds, alike). */
const MAX_SWEPT_LEAVES = 40;
const SWEEP_ID = '5e1f0c2a-7b3d-4e8f-9a6b-1c2d3e4f5a6b';

/**
 * The sweep, sent before the random runs (fast-check's examples): every leaf of the route's valid
 * sample replaced with each critical value (NUL, lone surrogate, prototype keys, deep nesting,
 * 1e309, dates out of range), every string at once, prototype keys added at the root; each path
 * parameter and each common query parameter with each critical text; and the valid request under
 * each hostile identity (tokens with hostile claims).
 */
export const sweepRequests = (route: CollectedRoute, sample: RouteSample, identities: ReadonlyArray<{ label: string; authorization: string }>): HostileRequest[] => {
  const requests: HostileRequest[] = [];
  const validParams = Object.fromEntries(route.params.map((name) => [name, sample.params?.[name]?.[0] ?? SWEEP_ID]));
  const path = fillPath(route, validParams);
  const writes = route.method !== 'GET';
  const base = route.takesBody && sample.body ? sample.body(SWEEP_ID) : undefined;
  const withBody = (kind: string, text: string | undefined, extra: Partial<HostileRequest> = {}, at = path): void => {
    const body = text === undefined ? undefined : Buffer.from(text, 'utf8');
    const contentType = body ? 'application/json' : undefined;
    requests.push(build({ kind, method: route.method, path: at, contentType, body, ...extra }, bodyMustRefuse(body, contentType, route.takesBody) ?? paramsMustRefuse(Object.values(validParams))));
  };
  if (writes && base !== undefined) {
    const leaves = placesOf(base).filter((p) => p.leaf && p.path.length > 0).slice(0, MAX_SWEPT_LEAVES);
    for (const { path: at } of leaves) for (const value of CRITICAL_VALUES) withBody(`sweep: ${at.join('.')} = ${'raw' in value ? value.raw.slice(0, 20) : JSON.stringify(value.value)}`, mutate(base, at, { op: 'replace', value }));
    for (const value of CRITICAL_VALUES) if ('value' in value && typeof value.value === 'string') withBody(`sweep: every string = ${JSON.stringify(value.value)}`, mutate(base, [], { op: 'replace-strings', text: value.value }));
    withBody('sweep: prototype keys at the root', mutate(base, [], { op: 'add', key: '__proto__', value: { value: { admin: true, roles: ['admin'] } } }).replace(/^\{/, '{"constructor":{"prototype":{"admin":true}},'));
  }
  for (const name of route.params) {
    for (const text of CRITICAL_URL_TEXT) {
      const at = fillPath(route, { ...validParams, [name]: text });
      const body = base === undefined ? undefined : Buffer.from(JSON.stringify(base), 'utf8');
      requests.push(build({ kind: `sweep: :${name} = ${text.slice(0, 20)}`, method: route.method, path: at, contentType: body ? 'application/json' : undefined, body }, paramsMustRefuse([text])));
    }
  }
  if (!writes) {
    for (const key of SWEPT_QUERY_KEYS) {
      for (const text of CRITICAL_URL_TEXT) {
        const query = `${key}=${text}`;
        requests.push(build({ kind: `sweep: ?${key}=${text.slice(0, 20)}`, method: route.method, path: `${path}?${query}` }, queryMustRefuse(query)));
      }
    }
  }
  for (const identity of identities) {
    withBody(`sweep: the valid request as ${identity.label}`, base === undefined ? undefined : JSON.stringify(base), { headers: { authorization: identity.authorization } });
  }
  return requests;
};
