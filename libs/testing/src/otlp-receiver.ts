import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One span as an OTLP exporter sent it; ids in lower-case hex, `parentSpanId` '' for a root. */
export interface ReceivedSpan {
  readonly service: string;
  readonly scope: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly links: ReadonlyArray<{ readonly traceId: string; readonly spanId: string }>;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
}

/**
 * A minimal reader of the protobuf wire format, for the fields of
 * `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest` a test looks at. Unknown
 * fields are skipped, as protobuf requires.
 */
class Reader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const byte = this.buf[this.pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  }

  tag(): { field: number; wire: number } {
    const raw = Number(this.varint());
    return { field: raw >>> 3, wire: raw & 7 };
  }

  bytes(): Uint8Array {
    const length = Number(this.varint());
    if (this.pos + length > this.buf.length) throw new Error('truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string {
    return Buffer.from(this.bytes()).toString('utf8');
  }

  double(): number {
    const value = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, 8).readDoubleLE(0);
    this.pos += 8;
    return value;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }

  /** Calls `field` for each field of the message; it returns false for a field it does not read. */
  each(field: (number: number, wire: number) => boolean): void {
    while (!this.done) {
      const t = this.tag();
      if (!field(t.field, t.wire)) this.skip(t.wire);
    }
  }
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const anyValue = (buf: Uint8Array): unknown => {
  const r = new Reader(buf);
  let value: unknown;
  r.each((field) => {
    if (field === 1) value = r.string();
    else if (field === 2) value = r.varint() !== 0n;
    else if (field === 3) value = Number(BigInt.asIntN(64, r.varint()));
    else if (field === 4) value = r.double();
    else if (field === 5) {
      const items: unknown[] = [];
      const array = new Reader(r.bytes());
      array.each((f) => (f === 1 ? (items.push(anyValue(array.bytes())), true) : false));
      value = items;
    } else if (field === 7) value = hex(r.bytes());
    else return false;
    return true;
  });
  return value;
};

const attributesInto = (target: Record<string, unknown>, buf: Uint8Array): void => {
  const r = new Reader(buf);
  let key = '';
  let value: unknown;
  r.each((field) => {
    if (field === 1) key = r.string();
    else if (field === 2) value = anyValue(r.bytes());
    else return false;
    return true;
  });
  target[key] = value;
};

const decodeSpan = (buf: Uint8Array, service: string, scope: string): ReceivedSpan => {
  const r = new Reader(buf);
  const span = { traceId: '', spanId: '', parentSpanId: '', name: '', kind: 0, statusCode: 0 };
  const attributes: Record<string, unknown> = {};
  const links: Array<{ traceId: string; spanId: string }> = [];
  r.each((field) => {
    switch (field) {
      case 1:
        span.traceId = hex(r.bytes());
        return true;
      case 2:
        span.spanId = hex(r.bytes());
        return true;
      case 4:
        span.parentSpanId = hex(r.bytes());
        return true;
      case 5:
        span.name = r.string();
        return true;
      case 6:
        span.kind = Number(r.varint());
        return true;
      case 9:
        attributesInto(attributes, r.bytes());
        return true;
      case 13: {
        const link = { traceId: '', spanId: '' };
        const l = new Reader(r.bytes());
        l.each((f) => {
          if (f === 1) link.traceId = hex(l.bytes());
          else if (f === 2) link.spanId = hex(l.bytes());
          else return false;
          return true;
        });
        links.push(link);
        return true;
      }
      case 15: {
        const status = new Reader(r.bytes());
        status.each((f) => (f === 3 ? ((span.statusCode = Number(status.varint())), true) : false));
        return true;
      }
      default:
        return false;
    }
  });
  return { ...span, service, scope, attributes, links };
};

/** Decodes an OTLP/protobuf `ExportTraceServiceRequest` into spans. */
export const decodeTraceExport = (body: Uint8Array): ReceivedSpan[] => {
  const spans: ReceivedSpan[] = [];
  const request = new Reader(body);
  request.each((field) => {
    if (field !== 1) return false;
    const resourceSpans = new Reader(request.bytes());
    let service = '';
    const scopeSpans: Uint8Array[] = [];
    resourceSpans.each((f) => {
      if (f === 1) {
        const attributes: Record<string, unknown> = {};
        const resource = new Reader(resourceSpans.bytes());
        resource.each((rf) => (rf === 1 ? (attributesInto(attributes, resource.bytes()), true) : false));
        service = String(attributes['service.name'] ?? '');
      } else if (f === 2) scopeSpans.push(resourceSpans.bytes());
      else return false;
      return true;
    });
    for (const buf of scopeSpans) {
      const scopeReader = new Reader(buf);
      let scope = '';
      const raw: Uint8Array[] = [];
      scopeReader.each((f) => {
        if (f === 1) {
          const s = new Reader(scopeReader.bytes());
          s.each((sf) => (sf === 1 ? ((scope = s.string()), true) : false));
        } else if (f === 2) raw.push(scopeReader.bytes());
        else return false;
        return true;
      });
      for (const span of raw) spans.push(decodeSpan(span, service, scope));
    }
    return true;
  });
  return spans;
};

export interface OtlpReceiver {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT` for the services: the exporters append `/v1/traces`. */
  readonly endpoint: string;
  readonly spans: () => readonly ReceivedSpan[];
  readonly close: () => Promise<void>;
}

/**
 * An OTLP/HTTP trace receiver (protobuf, as the services export by default; gzip too) that keeps
 * every span it is sent, as a collector would forward them.
 */
export const startOtlpReceiver = async (): Promise<OtlpReceiver> => {
  const received: ReceivedSpan[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      try {
        let body = Buffer.concat(chunks);
        if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        if (!String(request.headers['content-type'] ?? '').includes('application/x-protobuf')) throw new Error(`unexpected content type ${request.headers['content-type']}`);
        received.push(...decodeTraceExport(body));
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(); // an empty ExportTraceServiceResponse
      } catch (error) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => received,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
};
