import type { HostileValue } from './hostile-values';

type Json = Record<string, unknown> | unknown[];
export type Step = string | number;

export interface Place {
  readonly path: Step[];
  /** A value that is not an object or an array (or an empty one). */
  readonly leaf: boolean;
}

/** Every place in a value: the root, each key and each array element. */
export const placesOf = (value: unknown, path: Step[] = []): Place[] => {
  const children: Array<[Step, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : typeof value === 'object' && value !== null ? Object.entries(value) : [];
  return [{ path, leaf: children.length === 0 }, ...children.flatMap(([step, v]) => placesOf(v, [...path, step]))];
};

/** Every string in the value replaced with `text` (a lookup keyed by any field meets it). */
const replaceStrings = (value: unknown, text: string): unknown => {
  if (typeof value === 'string') return text;
  if (Array.isArray(value)) return value.map((v) => replaceStrings(v, text));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceStrings(v, text)]));
  return value;
};

const define = (target: Json, key: Step, value: unknown): void => {
  if (Array.isArray(target) && typeof key === 'number') target[key] = value;
  else Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
};

const PLACEHOLDER = '\u0001hostile-raw\u0001';

export type Mutation =
  | { readonly op: 'replace'; readonly value: HostileValue }
  | { readonly op: 'delete' }
  | { readonly op: 'add'; readonly key: string; readonly value: HostileValue }
  | { readonly op: 'replace-strings'; readonly text: string };

/** The sample with one change at `path`, as JSON text (a raw value is spliced in as written). */
export const mutate = (sample: unknown, path: readonly Step[], mutation: Mutation): string => {
  if (mutation.op === 'replace-strings') return JSON.stringify(replaceStrings(sample, mutation.text)) ?? 'null';
  const hostile = mutation.op === 'delete' ? undefined : mutation.value;
  const slot = hostile === undefined ? undefined : 'raw' in hostile ? PLACEHOLDER : hostile.value;
  let copy: unknown = structuredClone(sample);
  if (path.length === 0) {
    if (mutation.op === 'replace') copy = slot;
    else if (mutation.op === 'add' && typeof copy === 'object' && copy !== null) define(copy as Json, mutation.key, slot);
  } else {
    const parent = path.slice(0, -1).reduce<unknown>((node, step) => (node as Record<Step, unknown>)[step], copy) as Json;
    const last = path[path.length - 1] as Step;
    if (mutation.op === 'replace') define(parent, last, slot);
    else if (mutation.op === 'delete') {
      if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
      else delete (parent as Record<string, unknown>)[last];
    } else {
      const target = (parent as Record<Step, unknown>)[last];
      if (typeof target === 'object' && target !== null) define(target as Json, mutation.key, slot);
      else define(parent, last, { [mutation.key]: slot });
    }
  }
  const text = JSON.stringify(copy) ?? 'null';
  return hostile && 'raw' in hostile ? text.replace(JSON.stringify(PLACEHOLDER), hostile.raw) : text;
};
