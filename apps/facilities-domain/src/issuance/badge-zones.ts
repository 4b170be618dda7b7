/**
 * Which doors a new hire's badge opens: the zones every badge opens, and the zones each group of
 * the new hire adds (groups as the journey request names them, matched exactly). A group that is
 * not here adds nothing. Changed by the facilities team, reviewed like code; a journey's zones are
 * derived again from its request on every attempt, so a retry after a change here grants the new
 * zones.
 */
export interface ZoneMap {
  readonly everyBadge: readonly string[];
  readonly byGroup: Readonly<Record<string, readonly string[]>>;
}

export const BADGE_ZONES: ZoneMap = {
  everyBadge: ['main-entrance'],
  byGroup: {
    engineering: ['lab'],
    finance: ['finance-floor'],
  },
};
