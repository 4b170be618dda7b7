import { parse as parseQuery } from 'node:querystring';

// Which requests must be refused with a 4xx wherever they are sent: what the input hygiene every
// service shares refuses (libs/runtime configureHttp), judged here independently, on the bytes as
// sent, so a gap in that hygiene shows as a failure rather than as a request nobody expected to fail.

/** The body size the services take (libs/runtime HTTP_INPUT_LIMITS); past it a 413 is due. */
export const MAX_BODY_BYTES = 256 * 1024;
/** Nesting this deep is refused by any sane limit (the services allow 32 levels). */
const SURELY_TOO_DEEP = 100;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unsafeText = (text: string): boolean => text.includes('\u0000') || LONE_SURROGATE.test(text);

/** NUL or lone surrogate in any string or key, and the nesting depth (`{}` is one level); iterative. */
const inspect = (root: unknown): { unsafe: boolean; depth: number } => {
  let depth = 0;
  const stack: Array<{ value: unknown; level: number }> = [{ value: root, level: 0 }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (typeof node.value === 'string') {
      if (unsafeText(node.value)) return { unsafe: true, depth };
      continue;
    }
    if (typeof node.value !== 'object' || node.value === null) continue;
    const level = node.level + 1;
    depth = Math.max(depth, level);
    for (const [key, inner] of Object.entries(node.value)) {
      if (unsafeText(key)) return { unsafe: true, depth };
      stack.push({ value: inner, level });
    }
  }
  return { unsafe: false, depth };
};

const isJsonType = (contentType: string | undefined): boolean => {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[^/\s]+\+json$/.test(type);
};

/** Why a body must be refused wherever it is sent (the input hygiene every service shares), or null. */
export const bodyMustRefuse = (body: Buffer | undefined, contentType: string | undefined, readsObject: boolean): string | null => {
  if (!body || body.length === 0) return null;
  if (!isJsonType(contentType)) return `a body of type ${JSON.stringify(contentType ?? 'none')}, not JSON`;
  if (body.length > MAX_BODY_BYTES) return `a body of ${body.length} bytes, over the 256 kB limit`;
  const charset = /charset=([^;]+)/i.exec(contentType ?? '')?.[1]?.trim().toLowerCase();
  if (charset && !charset.startsWith('utf-')) return `charset ${charset}`;
  if (charset && charset !== 'utf-8' && charset !== 'utf8') return null; // another UTF: not judged here
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return 'a body that is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'a JSON body that is neither an object nor an array';
  const { unsafe, depth } = inspect(parsed);
  if (unsafe) return 'a NUL or a lone surrogate in the body';
  if (depth > SURELY_TOO_DEEP) return `a body nested ${depth} levels deep`;
  if (readsObject && Array.isArray(parsed)) return 'an array where the route reads an object';
  return null;
};

/** Why a query string must be refused (a NUL in a key or value once decoded), or null. */
export const queryMustRefuse = (query: string): string | null => {
  const parsed = parseQuery(query);
  for (const [key, value] of Object.entries(parsed)) {
    if (unsafeText(key) || [value ?? ''].flat().some(unsafeText)) return 'a NUL in the query string';
  }
  return null;
};

/** Why the path parameters must be refused (not decodable, or a NUL once decoded), or null. */
export const paramsMustRefuse = (values: readonly string[]): string | null => {
  for (const value of values) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(value);
    } catch {
      return `path parameter ${JSON.stringify(value.slice(0, 40))} is not valid percent-encoded UTF-8`;
    }
    if (unsafeText(decoded)) return 'a NUL in a path parameter';
  }
  return null;
};
