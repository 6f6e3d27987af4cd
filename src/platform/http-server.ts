import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';

/** How long a client may take; tests pass short values to see the limits act. */
export interface ServerTimeouts {
  /** Until the request's headers are complete (cuts off slow-header clients). */
  headersTimeoutMs: number;
  /** Until the whole request, body included, is received. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept open. */
  keepAliveTimeoutMs: number;
  /**
   * How often the two limits above are checked. Node's default is 30 s,
   * which would let a slow client hold a connection for up to 40 s.
   */
  checkIntervalMs: number;
}

export const SERVER_TIMEOUTS: Readonly<ServerTimeouts> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
};

/** Applies the timeouts to a server that is not listening yet (the check interval starts at listen). */
export function configureServerTimeouts(server: Server, timeouts: Partial<ServerTimeouts> = {}): Server {
  const chosen = { ...SERVER_TIMEOUTS, ...timeouts };
  server.headersTimeout = chosen.headersTimeoutMs;
  server.requestTimeout = chosen.requestTimeoutMs;
  server.keepAliveTimeout = chosen.keepAliveTimeoutMs;
  // A real property of the server, read when it starts listening; @types/node only knows the option.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = chosen.checkIntervalMs;
  return server;
}

/** Requests each server has begun and not yet answered (or lost). */
const requestsInFlight = new WeakMap<Server, { count: number }>();

/** An HTTP server with the site's timeouts (or those given), counting its requests in flight. */
export function createHttpServer(handler: RequestListener, timeouts: Partial<ServerTimeouts> = {}): Server {
  const server = configureServerTimeouts(createServer(handler), timeouts);
  const inFlight = { count: 0 };
  requestsInFlight.set(server, inFlight);
  server.on('request', (_req, res: ServerResponse) => {
    inFlight.count += 1;
    res.once('close', () => (inFlight.count -= 1));
  });
  return server;
}

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Stops taking connections and lets the requests in flight finish; after
 * `graceMs` whatever is still open is cut. Resolves with how many requests
 * were cut unanswered.
 */
export async function closeGracefully(server: Server, graceMs: number): Promise<number> {
  if (!server.listening) return 0;
  let cut = 0;
  const forced = setTimeout(() => {
    cut = requestsInFlight.get(server)?.count ?? 0;
    server.closeAllConnections();
  }, graceMs);
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  clearTimeout(forced);
  return cut;
}
