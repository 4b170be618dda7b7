import { counter, createLogger } from '@closeloop/observability';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { AUTH_OPTIONS, type AuthOptions } from './auth.options';

export interface AccessDenial {
  readonly at: Date;
  readonly principalKind: 'user' | 'api-key' | null;
  readonly principalId: string | null;
  readonly method: string;
  /** The path as called (clipped). */
  readonly path: string;
  /** The route pattern it matched (`/journeys/:id`), or the path when no route matched. */
  readonly route: string;
  readonly status: 401 | 403;
  readonly reason: string;
  readonly message: string;
  readonly sourceIp: string | null;
}

export interface AccessDenialQuery {
  readonly limit: number;
  /** Only entries older than this id (paging, newest first). */
  readonly before?: string | undefined;
  readonly principalId?: string | undefined;
  readonly reason?: string | undefined;
}

export interface AccessDenialRow {
  readonly id: string;
  readonly at: string;
  readonly lastAt: string | null;
  readonly count: number;
  readonly principalKind: string | null;
  readonly principalId: string | null;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly reason: string;
  readonly message: string;
  readonly sourceIp: string | null;
}

/** Text PostgreSQL stores: control characters (NUL above all) and lone surrogates become U+FFFD. */
const text = (value: string): string =>
  value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\ufffd').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd');
const storable = (d: AccessDenial): AccessDenial => ({
  ...d,
  principalId: d.principalId === null ? null : text(d.principalId),
  path: text(d.path),
  route: text(d.route),
  message: text(d.message),
  sourceIp: d.sourceIp === null ? null : text(d.sourceIp),
});

/** Refused calls recorded one row each, per caller (its verified id, else its address) and minute; the rest are counted in a bucket row. */
export const ROWS_PER_CALLER_MINUTE = 20;
/** Single rows per minute and instance, all callers together. */
const ROWS_PER_MINUTE = 600;
/** Bucket rows per minute and instance; past it, one overflow row counts the rest of the minute. */
const BUCKETS_PER_MINUTE = 600;
/** Callers tracked per minute; more (a flood from many addresses) count as over their share. */
const CALLERS_PER_MINUTE = 10_000;
/** However young the rows, the table keeps at most this many (the oldest go first). */
const MAX_ROWS = 1_000_000;
const PRUNE_EVERY_MS = 10 * 60 * 1000;

const denied = counter({ name: 'closeloop_access_denials_total', help: 'HTTP calls refused with 401 or 403, by status and reason', labelNames: ['status', 'reason'] });

/**
 * The audit of refused calls in `<schema>.access_denials`, bounded against floods: each caller
 * gets ROWS_PER_CALLER_MINUTE rows of its own a minute, beyond that its refusals are counted in
 * one row per route and reason; the instance writes at most ROWS_PER_MINUTE single rows and
 * BUCKETS_PER_MINUTE bucket rows a minute (then one overflow row); rows older than
 * AUTH_DENIAL_RETENTION_DAYS, and the oldest beyond MAX_ROWS, are deleted every ten minutes.
 * Every refusal is counted in `closeloop_access_denials_total` whatever the table keeps.
 */
@Injectable()
export class AccessDenialLog implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger(AccessDenialLog.name);
  private readonly table: string;
  private minute = -1;
  private readonly perCaller = new Map<string, number>();
  private readonly buckets = new Set<string>();
  private singles = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {
    this.table = `"${options.schema}".access_denials`;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.prune().catch((error: unknown) => this.logger.warn({ err: String(error) }, 'pruning the access-denial audit failed')), PRUNE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async record(recorded: AccessDenial): Promise<void> {
    const denial = storable(recorded);
    denied.inc({ status: String(denial.status), reason: denial.reason });
    const minute = Math.floor(denial.at.getTime() / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.perCaller.clear();
      this.buckets.clear();
      this.singles = 0;
    }
    const caller = denial.principalId ? `principal:${denial.principalId}` : `address:${denial.sourceIp ?? 'unknown'}`;
    const seen = this.perCaller.get(caller) ?? (this.perCaller.size < CALLERS_PER_MINUTE ? 0 : ROWS_PER_CALLER_MINUTE);
    if (this.perCaller.size < CALLERS_PER_MINUTE || this.perCaller.has(caller)) this.perCaller.set(caller, seen + 1);
    if (seen < ROWS_PER_CALLER_MINUTE && this.singles < ROWS_PER_MINUTE) {
      this.singles += 1;
      await this.dataSource.query(
        `INSERT INTO ${this.table} (at, principal_kind, principal_id, method, path, route, status, reason, message, source_ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [denial.at, denial.principalKind, denial.principalId, denial.method, denial.path, denial.route, denial.status, denial.reason, denial.message, denial.sourceIp],
      );
      return;
    }
    let bucket = `${new Date(minute * 60_000).toISOString()}|${caller}|${denial.method} ${denial.route}|${denial.status}|${denial.reason}`;
    const overflow = !this.buckets.has(bucket) && this.buckets.size >= BUCKETS_PER_MINUTE;
    if (overflow) bucket = `${new Date(minute * 60_000).toISOString()}|overflow`;
    else this.buckets.add(bucket);
    await this.dataSource.query(
      `INSERT INTO ${this.table} AS d (at, last_at, principal_kind, principal_id, method, path, route, status, reason, message, source_ip, bucket)
       VALUES ($1, $1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (bucket) WHERE bucket IS NOT NULL DO UPDATE SET count = d.count + 1, last_at = EXCLUDED.at`,
      overflow
        ? [denial.at, null, null, '*', '*', denial.status, 'FLOOD', 'more refused calls this minute than the audit keeps rows for; counted here', null, bucket]
        : [denial.at, denial.principalKind, denial.principalId, denial.method, denial.route, denial.status, denial.reason, `${denial.message} (this caller's further refusals of the minute are counted in this row)`, denial.sourceIp, bucket],
    );
  }

  /** Newest first. */
  async find(query: AccessDenialQuery): Promise<AccessDenialRow[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT id::text, at, last_at, count, principal_kind, principal_id, method, path, status, reason, message, source_ip FROM ${this.table}
       WHERE ($1::bigint IS NULL OR id < $1::bigint) AND ($2::text IS NULL OR principal_id = $2) AND ($3::text IS NULL OR reason = $3)
       ORDER BY id DESC LIMIT $4`,
      [query.before ?? null, query.principalId ?? null, query.reason ?? null, query.limit],
    );
    return rows.map((r) => ({
      id: r['id'] as string,
      at: (r['at'] as Date).toISOString(),
      lastAt: r['last_at'] ? (r['last_at'] as Date).toISOString() : null,
      count: Number(r['count']),
      principalKind: r['principal_kind'] as string | null,
      principalId: r['principal_id'] as string | null,
      method: r['method'] as string,
      path: r['path'] as string,
      status: Number(r['status']),
      reason: r['reason'] as string,
      message: r['message'] as string,
      sourceIp: r['source_ip'] as string | null,
    }));
  }

  /** Deletes what is past retention, and the oldest rows beyond MAX_ROWS. Returns how many went. */
  async prune(): Promise<number> {
    const [old] = await this.dataSource.query(
      `WITH gone AS (DELETE FROM ${this.table} WHERE coalesce(last_at, at) < now() - make_interval(days => $1) RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [this.options.config.AUTH_DENIAL_RETENTION_DAYS],
    );
    const [excess] = await this.dataSource.query(
      `WITH gone AS (DELETE FROM ${this.table} WHERE id <= (SELECT id FROM ${this.table} ORDER BY id DESC OFFSET $1 LIMIT 1) RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [MAX_ROWS],
    );
    return Number(old?.n ?? 0) + Number(excess?.n ?? 0);
  }
}
