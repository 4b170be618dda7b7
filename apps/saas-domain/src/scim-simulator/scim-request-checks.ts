import type { NextFunction, Request, Response } from 'express';
import { SCIMMY } from 'scimmy-routers';

import { sendScimError } from './scim-fault-gate';

/** Names that would reach an object's prototype if used as an attribute or key. */
const PROTOTYPE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
/** A SCIM attribute path (RFC 7644 §3.10): a schema URN prefix, names, sub-attributes. */
const ATTRIBUTE = /^(urn:[A-Za-z0-9:._-]+:)?[A-Za-z][\w$-]*(\.[A-Za-z][\w$-]*)?$/;

const prototypeNamed = (path: string): boolean => path.split(/[.:]/).some((part) => PROTOTYPE_NAMES.has(part.toLowerCase()));

/** Every key anywhere in a parsed JSON body. */
const keysOf = function* (value: unknown): Generator<string> {
  if (Array.isArray(value)) for (const item of value) yield* keysOf(item);
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      yield key;
      yield* keysOf(inner);
    }
  }
};

/**
 * What the simulator's SCIM library does not check itself and would answer with a 500: a
 * malformed `filter`, attribute lists naming prototype properties or not attribute paths, and
 * bodies whose `schemas` is not a list of URNs or whose keys name prototype properties. Each is
 * the client's error (RFC 7644 §3.12: 400 invalidFilter, invalidValue or invalidSyntax), so it is
 * refused here, before the library sees it.
 */
export const checkScimRequest = (req: Request, res: Response, next: NextFunction): void => {
  const filter = req.query['filter'];
  if (filter !== undefined) {
    if (typeof filter !== 'string') return sendScimError(res, 400, 'filter must be given once, as a string', {}, 'invalidFilter');
    try {
      new SCIMMY.Types.Filter(filter);
    } catch (error) {
      return sendScimError(res, 400, `filter is not a SCIM filter: ${error instanceof Error ? error.message : String(error)}`, {}, 'invalidFilter');
    }
  }
  for (const name of ['attributes', 'excludedAttributes']) {
    const list = req.query[name];
    if (list === undefined) continue;
    if (typeof list !== 'string') return sendScimError(res, 400, `${name} must be given once, as a comma-separated list`, {}, 'invalidValue');
    const bad = list.split(',').map((a) => a.trim()).find((a) => !ATTRIBUTE.test(a) || prototypeNamed(a));
    if (bad !== undefined) return sendScimError(res, 400, `${name}: "${bad.slice(0, 100)}" is not an attribute path`, {}, 'invalidValue');
  }
  const body: unknown = req.body;
  if (body !== undefined && body !== null && typeof body === 'object' && ['POST', 'PUT', 'PATCH'].includes(req.method)) {
    const schemas = (body as { schemas?: unknown }).schemas;
    if (schemas !== undefined && (!Array.isArray(schemas) || !schemas.every((s) => typeof s === 'string'))) {
      return sendScimError(res, 400, 'schemas must be a list of schema URNs', {}, 'invalidSyntax');
    }
    const operations = (body as { Operations?: unknown }).Operations;
    if (operations !== undefined) {
      const wellFormed = Array.isArray(operations) && operations.every((o) => o !== null && typeof o === 'object' && typeof (o as { op?: unknown }).op === 'string' && ['undefined', 'string'].includes(typeof (o as { path?: unknown }).path));
      if (!wellFormed) return sendScimError(res, 400, 'Operations must be a list of operations, each with op (and path, if any) a string', {}, 'invalidSyntax');
    }
    for (const key of keysOf(body)) {
      if (prototypeNamed(key)) return sendScimError(res, 400, `"${key.slice(0, 100)}" is not an attribute`, {}, 'invalidValue');
    }
  }
  next();
};
