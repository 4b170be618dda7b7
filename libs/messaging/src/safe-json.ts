/**
 * What PostgreSQL cannot store, found before it is handed to a handler or a query: a NUL
 * character (`text` refuses it, `jsonb` refuses `\u0000`), a lone UTF-16 surrogate (`jsonb`
 * refuses it, UTF-8 cannot encode it), and JSON nested deeper than a limit (every recursive
 * walk of it, ours or a library's, risks the stack). Used for HTTP bodies and query strings
 * (libs/runtime) and for consumed Kafka messages alike.
 */

/** How deep JSON may nest: `{}` is one level, `{"a": {}}` two. */
export const MAX_JSON_DEPTH = 32;

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as text, or undefined when it can. */
export const unsafeTextProblem = (text: string): string | undefined => {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which is not allowed';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate (not valid Unicode text)';
  return undefined;
};

/** Shortens text to `max` characters, ending with an ellipsis when it was longer (never splits a surrogate pair). */
export const clipText = (text: string, max: number): string => {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
};

export interface JsonProblem {
  /** Where: `body.evidence.items[3]`, `value.payload.name`, or the root name itself. */
  readonly path: string;
  readonly problem: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;
const MAX_PATH_KEY = 60;

const child = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : IDENTIFIER.test(key) && key.length <= MAX_PATH_KEY ? `${path}.${key}` : `${path}[${JSON.stringify(clipText(key, MAX_PATH_KEY))}]`;

/**
 * The first string (value or object key) that cannot be stored, or the first place that nests
 * deeper than `maxDepth`, in a parsed JSON value (or a query object: strings and arrays of
 * strings). Iterative, so any depth of input is safe to inspect.
 */
export const findJsonProblem = (value: unknown, root: string, maxDepth = MAX_JSON_DEPTH): JsonProblem | undefined => {
  interface Node {
    readonly value: unknown;
    readonly path: string;
    readonly depth: number;
    /** The object key this value is under, checked like any string. */
    readonly key?: string;
  }
  const stack: Node[] = [{ value, path: root, depth: 0 }];
  for (let node = stack.pop(); node; node = stack.pop()) {
    const { value: current, path, depth, key } = node;
    const keyProblem = key === undefined ? undefined : unsafeTextProblem(key);
    if (keyProblem) return { path, problem: `(the key) ${keyProblem}` };
    if (typeof current === 'string') {
      const problem = unsafeTextProblem(current);
      if (problem) return { path, problem };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > maxDepth) return { path, problem: `nests deeper than the limit of ${maxDepth} levels` };
    // Pushed in reverse, so the first problem in document order is the one reported.
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: child(path, i), depth: depth + 1 });
    } else {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [name, item] = entries[i] as [string, unknown];
        stack.push({ value: item, path: child(path, name), depth: depth + 1, key: name });
      }
    }
  }
  return undefined;
};

/** `path: problem`, as a reason or an error message. */
export const describeJsonProblem = ({ path, problem }: JsonProblem): string => `${path}: ${problem}`;
