/**
 * Parses an HTTP `Retry-After` header (RFC 9110 §10.2.3): either delay-seconds (a non-negative
 * integer) or an HTTP-date. Returns the wait in milliseconds from `now`, never negative (a date
 * in the past means "now"), or null when the header is absent or unusable.
 */
export const parseRetryAfter = (value: string | null | undefined, now: number): number | null => {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP-date always names the weekday and the zone (IMF-fixdate, or the obsolete RFC 850 and asctime forms).
  if (!/^[A-Za-z]{3,9},? /.test(trimmed)) return null;
  // asctime carries no zone, but HTTP dates are always GMT.
  const at = Date.parse(/^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/.test(trimmed) ? `${trimmed} GMT` : trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
};
