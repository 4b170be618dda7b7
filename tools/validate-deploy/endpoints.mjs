// host:port references inside configuration values ("kafka:9092",
// "postgres://user:pw@postgres:5432/db", "1@kafka:9093", "http://otel-collector:4318").

const ENDPOINT = /(?:^|[\s,;=])(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?(?:[^@/\s,;]*@)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]*):(\d{1,5})(?=$|[/\s,;?#'"])/g;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const ANY = new Set(['', '0.0.0.0', '[::]']);

/** Every host:port a value refers to, with what kind of host it is. */
export const endpointsIn = (value) => {
  const found = [];
  for (const match of String(value).matchAll(ENDPOINT)) {
    const host = match[1];
    const port = Number(match[2]);
    const kind = ANY.has(host) ? 'bind' : LOOPBACK.has(host) ? 'loopback' : 'host';
    found.push({ host, port, kind, text: match[0].replace(/^[\s,;=]/, '') });
  }
  return found;
};
