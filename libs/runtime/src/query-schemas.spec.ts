import { z } from 'zod';

import { isoDateTime, MAX_PAGE_SIZE, pageOf, pageQuery } from './query-schemas';

describe('isoDateTime', () => {
  const schema = isoDateTime();

  it('takes ISO 8601 date-times with an offset from 1970 to 9999, as the string given', () => {
    for (const ok of ['1970-01-01T00:00:00Z', '2025-01-31T09:00:00+01:00', '2025-01-31T09:00:00.123Z', '9999-12-31T23:59:59Z']) {
      expect(schema.parse(ok)).toBe(ok);
    }
  });

  it('refuses years before 1970 or after 9999, dates without an offset, and what is not a date', () => {
    for (const bad of ['0000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '1970-01-01T00:30:00+01:00', '9999-12-31T23:59:59-05:00', '2025-01-31T09:00:00', '2025-02-30T00:00:00Z', 'yesterday', '']) {
      expect(schema.safeParse(bad).success).toBe(false);
    }
    expect(schema.safeParse('0000-01-01T00:00:00Z').error?.issues[0]?.message).toBe('a date-time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z');
    expect(schema.safeParse(['2025-01-01T00:00:00Z']).success).toBe(false);
  });

  it('composes: optional, in an object', () => {
    const window = z.object({ from: isoDateTime().optional() });
    expect(window.parse({})).toEqual({});
    expect(window.safeParse({ from: '0000-01-01T00:00:00Z' }).success).toBe(false);
  });
});

describe('pageQuery', () => {
  it('defaults the limit, coerces it from the query string and caps it at the maximum page size', () => {
    const schema = pageQuery();
    expect(schema.parse({})).toEqual({ limit: 100 });
    expect(schema.parse({ limit: '25', cursor: 'abc-123' })).toEqual({ limit: 25, cursor: 'abc-123' });
    expect(schema.parse({ limit: String(MAX_PAGE_SIZE) }).limit).toBe(MAX_PAGE_SIZE);
    expect(schema.safeParse({ limit: String(MAX_PAGE_SIZE + 1) }).error?.issues[0]?.message).toBe(`at most ${MAX_PAGE_SIZE} items per page`);
    for (const bad of ['0', '-1', '1.5', 'ten', '', ['1', '2']]) expect(schema.safeParse({ limit: bad }).success).toBe(false);
  });

  it('refuses cursors that are not printable ASCII, and takes a cursor schema of its own', () => {
    expect(pageQuery().safeParse({ cursor: 'a b' }).success).toBe(false);
    expect(pageQuery().safeParse({ cursor: 'x'.repeat(201) }).success).toBe(false);
    expect(pageQuery().safeParse({ cursor: ['a', 'b'] }).success).toBe(false);
    const byId = pageQuery({ maxLimit: 50, defaultLimit: 10, cursor: z.string().regex(/^\d{1,18}$/) });
    expect(byId.parse({ cursor: '42' })).toEqual({ limit: 10, cursor: '42' });
    expect(byId.safeParse({ cursor: 'abc' }).success).toBe(false);
    expect(byId.safeParse({ limit: '51' }).success).toBe(false);
    expect(pageQuery({ maxLimit: 10_000 }).safeParse({ limit: '501' }).success).toBe(false); // never above MAX_PAGE_SIZE
  });
});

describe('pageOf', () => {
  it('gives the first limit rows and the next cursor only when there was one more row', () => {
    const rows = [{ id: 1 }, { id: 2 }, { id: 3 }];
    expect(pageOf(rows, 2, (r) => String(r.id))).toEqual({ items: [{ id: 1 }, { id: 2 }], nextCursor: '2' });
    expect(pageOf(rows, 3, (r) => String(r.id))).toEqual({ items: rows, nextCursor: null });
    expect(pageOf([], 3, () => 'x')).toEqual({ items: [], nextCursor: null });
  });
});
