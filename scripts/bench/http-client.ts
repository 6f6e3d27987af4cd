import http from 'node:http';

/**
 * A small browser-like HTTP client for the scale rows: one keep-alive
 * connection, cookies kept by name (a browser would scope them by path; the
 * bench talks to one site), and each request's time from sending to the last
 * byte. node:http rather than fetch, so that the time measured carries as
 * little client overhead as possible.
 */

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Milliseconds from sending the request to the last byte of the answer. */
  ms: number;
  /** The server's own milliseconds, from its Server-Timing header (staff pages), when it sent one. */
  serverMs: number | undefined;
}

/** `app;dur=12.3` → 12.3 */
function serverMillisecondsOf(header: string | undefined): number | undefined {
  const match = /\bapp;dur=([\d.]+)/.exec(header ?? '');
  return match ? Number(match[1]) : undefined;
}

export interface BenchClient {
  readonly base: string;
  readonly cookies: Map<string, string>;
  cookieHeader(): string;
  get(path: string, headers?: Record<string, string>): Promise<Answer>;
  postForm(path: string, fields: Record<string, string>, headers?: Record<string, string>): Promise<Answer>;
  close(): void;
}

/** Keeps each cookie a response sets, by name; one set empty (as res.clearCookie does) is forgotten. */
function keepCookies(jar: Map<string, string>, setCookie: string[] | undefined): void {
  for (const line of setCookie ?? []) {
    const pair = line.split(';')[0]!;
    const equals = pair.indexOf('=');
    if (equals <= 0) continue;
    const [name, value] = [pair.slice(0, equals).trim(), pair.slice(equals + 1).trim()];
    if (value === '') jar.delete(name);
    else jar.set(name, value);
  }
}

/** `headers` go with every request, e.g. X-Forwarded-Proto when the app is told it sits behind TLS. */
export function createClient(base: string, headers: Record<string, string> = {}): BenchClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const cookies = new Map<string, string>();
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');

  const send = (method: string, path: string, extra: Record<string, string>, body?: string) =>
    new Promise<Answer>((resolve, reject) => {
      const all: Record<string, string> = { ...headers, ...extra };
      if (cookies.size > 0) all.Cookie = cookieHeader();
      if (body !== undefined) {
        all['Content-Type'] = 'application/x-www-form-urlencoded';
        all['Content-Length'] = String(Buffer.byteLength(body));
      }
      const startedAt = performance.now();
      const request = http.request(new URL(path, base), { method, agent, headers: all }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const ms = performance.now() - startedAt;
          keepCookies(cookies, response.headers['set-cookie']);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms,
            serverMs: serverMillisecondsOf(String(response.headers['server-timing'] ?? '')),
          });
        });
      });
      request.setTimeout(30_000, () => request.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
      request.on('error', reject);
      request.end(body);
    });

  return {
    base,
    cookies,
    cookieHeader,
    get: (path, extra = {}) => send('GET', path, extra),
    postForm: (path, fields, extra = {}) => send('POST', path, { Origin: base, ...extra }, new URLSearchParams(fields).toString()),
    close: () => agent.destroy(),
  };
}

export interface Timings {
  /** The client's times, sending to last byte. */
  times: number[];
  /** The server's own times (Server-Timing), for the pages that send them. */
  serverTimes: number[];
  /** The last page's HTML. */
  last: string;
}

/** `samples` GETs one after another, after `warmup` untimed ones. */
export async function timeGets(client: BenchClient, path: string, samples: number, warmup = 10): Promise<Timings> {
  const timings: Timings = { times: [], serverTimes: [], last: '' };
  for (let index = 0; index < warmup + samples; index++) {
    const answer = await client.get(path);
    if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}`);
    if (index >= warmup) {
      timings.times.push(answer.ms);
      if (answer.serverMs !== undefined) timings.serverTimes.push(answer.serverMs);
    }
    timings.last = answer.body;
  }
  if (timings.serverTimes.length < samples) throw new Error(`GET ${path} sent no Server-Timing header`);
  return timings;
}
