import { Agent, request } from 'node:http';

/** A request exactly as the attacker shapes it: raw path (already percent-encoded), raw body bytes, any content type. */
export interface RawRequest {
  readonly method: string;
  /** Path and query string as sent on the request line. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export interface RawResponse {
  readonly status: number;
  readonly text: string;
  /** The body parsed as JSON, or undefined. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of any shape, checked by the assertions
  readonly json: any;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * Sends one request over node:http (no client-side normalisation: the path and body go as
 * given). The answer counts as soon as it arrived, even if the server then closed the
 * connection on a body it did not read (a 413). A connection that fails before any answer is
 * tried once more on a fresh connection, then reported as an error.
 */
export const send = (base: string, req: RawRequest, retry = true): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const url = new URL(base);
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
    let answered = false;
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        agent: retry ? agent : false,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...req.headers },
      },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), json: undefined }));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, text, json: parse(text) });
        });
      },
    );
    outgoing.on('error', (error) => {
      if (answered) return;
      if (retry) send(base, req, false).then(resolve, reject);
      else reject(new Error(`${req.method} ${req.path.slice(0, 200)}: no answer: ${error.message}`));
    });
    if (body) outgoing.write(body);
    outgoing.end();
  });

/** JSON over HTTP with an optional Authorization header. */
export const sendJson = (base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawResponse> =>
  send(base, {
    method,
    path,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
