import http from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request that got no HTTP answer: refused, reset, or no answer in time. */
export class NetworkError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

export interface HttpRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/**
 * One request on a connection of its own (`Connection: close`): a reset can
 * then only be the server's doing, never a race with a client-side
 * keep-alive pool reusing a socket the server was closing.
 */
export function send(url: string, request: HttpRequest): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method: request.method ?? 'GET', headers: request.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', (error: NodeJS.ErrnoException) => reject(new NetworkError(error.code ?? error.message)));
    });
    outgoing.setTimeout(request.timeoutMs, () => outgoing.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    outgoing.on('error', (error: NodeJS.ErrnoException) => reject(new NetworkError(error.code ?? error.message)));
    outgoing.end(request.body);
  });
}
