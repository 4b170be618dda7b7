import { parseRetryAfter } from './retry-after';

const NOW = Date.parse('2026-11-21T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('3', NOW)).toBe(3000);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120000);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Sat, 21 Nov 2026 12:00:05 GMT', NOW)).toBe(5000);
    expect(parseRetryAfter('Saturday, 21-Nov-26 12:01:00 GMT', NOW)).toBe(60000);
    expect(parseRetryAfter('Sat Nov 21 12:00:02 2026', NOW)).toBe(2000);
  });

  it('treats a date in the past as now', () => {
    expect(parseRetryAfter('Sat, 21 Nov 2026 11:59:00 GMT', NOW)).toBe(0);
  });

  it('ignores what is absent or unusable', () => {
    for (const value of [null, undefined, '', '   ', '-1', '1.5', 'soon', '2026-11-21T12:00:05Z', 'Sat, 99 Nov 2026 12:00:05 GMT']) {
      expect(parseRetryAfter(value, NOW)).toBeNull();
    }
  });
});
