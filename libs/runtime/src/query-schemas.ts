import { z } from 'zod';

/** The dates an API takes: PostgreSQL stores far more, but nothing Closeloop records is older or later. */
export const EARLIEST_DATE_TIME = '1970-01-01T00:00:00Z';
export const LATEST_DATE_TIME = '9999-12-31T23:59:59.999Z';

const EARLIEST = Date.parse(EARLIEST_DATE_TIME);
const LATEST = Date.parse(LATEST_DATE_TIME);

/**
 * An ISO 8601 date-time with a UTC offset (`2025-01-31T09:00:00Z`, `…+01:00`) whose instant is
 * from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z: a date out of that range is a 400
 * naming the field, not a PostgreSQL `datetime_field_overflow` (year 0000) or a JavaScript
 * `Invalid Date` (year 275760) further down. The value stays the string it was.
 */
export const isoDateTime = () =>
  z.iso.datetime({ offset: true, error: 'an ISO 8601 date-time with an offset, e.g. 2025-01-31T09:00:00Z' }).refine(
    (text) => {
      const at = Date.parse(text);
      return Number.isFinite(at) && at >= EARLIEST && at <= LATEST;
    },
    { error: `a date-time from ${EARLIEST_DATE_TIME} to 9999-12-31T23:59:59Z` },
  );

/** The most items one page of any list endpoint holds, and what a caller gets without asking. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;

/** A cursor is opaque to the caller: the `nextCursor` of the previous page, printable ASCII. */
export const CURSOR = z.string().regex(/^[\x21-\x7e]{1,200}$/, 'the nextCursor of the previous page');

export interface PageQueryOptions {
  /** At most `MAX_PAGE_SIZE`. */
  readonly maxLimit?: number;
  readonly defaultLimit?: number;
  /** What a cursor must look like for this list (e.g. a numeric id, an ISO date); `CURSOR` by default. */
  readonly cursor?: z.ZodType<string>;
}

/**
 * `?limit=&cursor=` of a list endpoint: `limit` an integer from 1 to `maxLimit` (default
 * `defaultLimit`), `cursor` optional. Extend it with the list's own filters:
 * `pageQuery().extend({ status: z.enum([...]).optional() }).strict()`.
 */
export const pageQuery = (options: PageQueryOptions = {}) => {
  const maxLimit = Math.min(options.maxLimit ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const defaultLimit = Math.min(options.defaultLimit ?? DEFAULT_PAGE_SIZE, maxLimit);
  return z.object({
    limit: z.coerce
      .number({ error: `an integer from 1 to ${maxLimit}` })
      .int(`an integer from 1 to ${maxLimit}`)
      .min(1, `an integer from 1 to ${maxLimit}`)
      .max(maxLimit, `at most ${maxLimit} items per page`)
      .default(defaultLimit),
    cursor: (options.cursor ?? CURSOR).optional(),
  });
};

export type PageQuery = z.infer<ReturnType<typeof pageQuery>>;

/** One page of a list, and the cursor of the next (null on the last page). */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/**
 * The page from rows read with `LIMIT limit + 1`: the first `limit` rows, and the cursor of the
 * last of them when there was one more (so a full last page has no next cursor).
 */
export const pageOf = <T>(rows: readonly T[], limit: number, cursorOf: (row: T) => string): Page<T> => {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
};
