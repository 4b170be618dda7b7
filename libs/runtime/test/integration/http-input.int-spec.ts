import { openDatabase } from '@closeloop/database';
import { testEnv } from '@closeloop/testing';
import {
  type ArgumentsHost,
  Body,
  Catch,
  Controller,
  type ExceptionFilter,
  ForbiddenException,
  Get,
  type INestApplication,
  Module,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Response } from 'express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { z } from 'zod';

import { createHttpApp, HTTP_INPUT_LIMITS, isoDateTime, pageQuery, ZodBodyPipe, ZodQueryPipe } from '../../src';

const ResolveSchema = z.object({ operator: z.string().min(1).max(200), evidence: z.record(z.string(), z.unknown()).optional() }).strict();
const WindowSchema = z.object({ from: isoDateTime().optional(), to: isoDateTime().optional() }).strict();

/** Routes shaped like the services' own: a validated body, query strings, a path parameter, database queries. */
@Controller('probe')
class ProbeController {
  constructor(private readonly dataSource: DataSource) {}

  @Post('resolve')
  resolve(@Body(new ZodBodyPipe(ResolveSchema)) body: z.infer<typeof ResolveSchema>) {
    return { operator: body.operator, evidence: body.evidence ?? null };
  }

  @Get('kpis')
  kpis(@Query(new ZodQueryPipe(WindowSchema)) window: z.infer<typeof WindowSchema>) {
    return window;
  }

  @Get('items')
  items(@Query(new ZodQueryPipe(pageQuery({ maxLimit: 50 }))) page: { limit: number; cursor?: string }) {
    return page;
  }

  @Get('limit')
  limit(@Query('limit') limit?: string) {
    return { limit: limit ?? null };
  }

  @Get('items/:id')
  item(@Param('id') id: string) {
    throw new NotFoundException(`no item ${id}`);
  }

  /** A date the validation let through, as `/kpis` did before `isoDateTime`: PostgreSQL refuses year 0000. */
  @Get('since')
  async since(@Query('at') at: string) {
    const [row] = await this.dataSource.query('SELECT $1::timestamptz AS at', [at]);
    return { at: row.at };
  }

  @Get('lookup')
  async lookup(@Query('id') id: string) {
    return this.dataSource.query('SELECT $1::uuid AS id', [id]);
  }

  @Get('bug')
  bug(): never {
    throw new TypeError("Cannot read properties of undefined (reading 'x')");
  }

  @Get('forbidden')
  forbidden(): never {
    throw new ForbiddenException('not yours');
  }
}

/** Stands in for the access-denial audit (libs/auth): a filter of the app's own, for 403s. */
@Catch(ForbiddenException)
class AuditedDenialFilter implements ExceptionFilter {
  catch(exception: ForbiddenException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(403).json({ statusCode: 403, audited: true, message: exception.message });
  }
}

let app: INestApplication;
let dataSource: DataSource;
let http: ReturnType<typeof request>;

beforeAll(async () => {
  dataSource = await openDatabase({ url: testEnv().DATABASE_URL, schema: 'http_input_int', poolSize: 2, migrations: [], applicationName: 'http-input-int' });
  @Module({ controllers: [ProbeController], providers: [{ provide: DataSource, useValue: dataSource }, { provide: APP_FILTER, useClass: AuditedDenialFilter }] })
  class ProbeModule {}
  app = await createHttpApp(ProbeModule, { logger: false });
  await app.init();
  http = request(app.getHttpServer());
});

afterAll(async () => {
  await app?.close();
  await dataSource?.destroy();
});

const post = (body: string, contentType = 'application/json') => http.post('/probe/resolve').set('Content-Type', contentType).send(body);

/** JSON text of `levels` nested objects (written out: `JSON.stringify` itself recurses). */
const nested = (levels: number): string => `${'{"a":'.repeat(levels - 1)}{"leaf":true}${'}'.repeat(levels - 1)}`;

describe('JSON bodies', () => {
  it('takes a valid body', async () => {
    const response = await post(JSON.stringify({ operator: 'ops-1', evidence: { checked: 'directory' } }));
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ operator: 'ops-1', evidence: { checked: 'directory' } });
  });

  it('refuses a body over the limit with 413 naming the limit', async () => {
    const response = await post(JSON.stringify({ operator: 'ops-1', evidence: { blob: 'x'.repeat(HTTP_INPUT_LIMITS.maxBodyBytes) } }));
    expect(response.status).toBe(413);
    expect(response.body.message).toBe('the request body is larger than the limit of 256 kB (262144 bytes)');
  });

  it('refuses a body that is not JSON, or not an object or array, with 400 saying so', async () => {
    const broken = await post('{"operator": "ops-1",');
    expect(broken.status).toBe(400);
    expect(broken.body.message).toMatch(/^the request body is not valid JSON: /);
    const scalar = await post('"ops-1"');
    expect(scalar.status).toBe(400);
    expect(scalar.body.message).toBe('the request body must be a JSON object or array');
  });

  it('refuses a body of another content type with 415, and takes JSON with a structured suffix', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const response = await post('operator=ops-1', contentType);
      expect(response.status).toBe(415);
      expect(response.body.message).toMatch(/^a request body must be JSON/);
    }
    expect((await post(JSON.stringify({ operator: 'ops-1' }), 'application/scim+json')).status).toBe(201);
    // No body at all (Content-Length: 0, no type) reaches the route's own validation.
    const empty = await http.post('/probe/resolve').set('Content-Length', '0');
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/^\(body\): /);
    const untyped = await http.post('/probe/resolve').set('Content-Type', '').send(Buffer.from('{"operator":"ops-1"}'));
    expect(untyped.status).toBe(415);
  });

  it('refuses a body nested deeper than the limit with 400 naming the limit and where', async () => {
    const ok = await post(`{"operator":"ops-1","evidence":${nested(HTTP_INPUT_LIMITS.maxJsonDepth - 1)}}`);
    expect(ok.status).toBe(201);
    for (const levels of [HTTP_INPUT_LIMITS.maxJsonDepth, 5000]) {
      const deep = await post(`{"operator":"ops-1","evidence":${nested(levels)}}`);
      expect(deep.status).toBe(400);
      expect(deep.body.message).toMatch(/^body\.evidence(\.a)+: nests deeper than the limit of 32 levels$/);
    }
  });

  it('refuses a NUL character or a lone surrogate in any string, value or key, with 400 naming the field', async () => {
    const nul = await post(JSON.stringify({ operator: 'ops-1', evidence: { note: 'a\u0000b' } }));
    expect(nul.status).toBe(400);
    expect(nul.body).toMatchObject({ field: 'body.evidence.note', message: 'body.evidence.note: contains a NUL character (\\u0000), which is not allowed' });
    // JSON.stringify writes a lone surrogate as the escape \ud800, as an attacker would.
    const surrogate = await post(JSON.stringify({ operator: 'ops\ud800', evidence: {} }));
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.field).toBe('body.operator');
    const key = await post(JSON.stringify({ operator: 'ops-1', evidence: { ['k\u0000']: 1 } }));
    expect(key.status).toBe(400);
    expect(key.body.message).toMatch(/^body\.evidence\["k\\u0000"\]: \(the key\) contains a NUL/);
  });
});

describe('query strings and paths', () => {
  it('refuses a NUL in a query parameter or a path segment with 400 naming it', async () => {
    const query = await http.get('/probe/limit?limit=1%00');
    expect(query.status).toBe(400);
    expect(query.body.field).toBe('query.limit');
    const path = await http.get('/probe/items/a%00b');
    expect(path.status).toBe(400);
    expect(path.body.message).toMatch(/^path\[3\]: contains a NUL/);
    expect((await http.get('/probe/items/plain')).status).toBe(404);
  });

  it('refuses a parameter read as one string but given several times', async () => {
    const response = await http.get('/probe/limit?limit=1&limit=2');
    expect(response.status).toBe(400);
    expect(response.body.message).toBe('query.limit: expected one value, got 2');
    expect((await http.get('/probe/limit?limit=7')).body).toEqual({ limit: '7' });
    // Brackets are not parsed into objects: the parameter is named "limit[a]", and ignored.
    expect((await http.get('/probe/limit?limit[a]=1')).body).toEqual({ limit: null });
  });

  it('refuses dates out of range and pages over the maximum size, naming the parameter', async () => {
    const year0 = await http.get('/probe/kpis?from=0000-01-01T00:00:00Z');
    expect(year0.status).toBe(400);
    expect(year0.body.message).toBe('from: a date-time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z');
    expect((await http.get('/probe/kpis?from=2025-01-01T00:00:00Z&from=2025-01-02T00:00:00Z')).status).toBe(400);
    expect((await http.get('/probe/kpis?from=2025-01-01T00:00:00%2B01:00')).body).toEqual({ from: '2025-01-01T00:00:00+01:00' });
    const tooMany = await http.get('/probe/items?limit=51');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toBe('limit: at most 50 items per page');
    expect((await http.get('/probe/items?cursor=abc')).body).toEqual({ limit: 50, cursor: 'abc' });
  });
});

describe('errors past the validation', () => {
  it("answers PostgreSQL's refusal of the input with 400, not 500", async () => {
    const year0 = await http.get('/probe/since?at=0000-01-01T00:00:00Z');
    expect(year0.status).toBe(400);
    expect(year0.body.message).toMatch(/^the request holds a value the database cannot take \(SQLSTATE 22008: /);
    const notUuid = await http.get('/probe/lookup?id=abc');
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.message).toMatch(/SQLSTATE 22P02/);
    expect((await http.get('/probe/since?at=2025-01-01T00:00:00Z')).status).toBe(200);
  });

  it('answers a fault of the server with a plain 500, without its details', async () => {
    const response = await http.get('/probe/bug');
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
  });

  it("leaves HttpExceptions to the app's own filters and to Nest", async () => {
    const denied = await http.get('/probe/forbidden');
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ statusCode: 403, audited: true, message: 'not yours' });
    const missing = await http.get('/probe/nowhere');
    expect(missing.status).toBe(404);
  });
});
