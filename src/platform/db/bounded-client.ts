import pg from 'pg';

/**
 * PostgreSQL connections whose every wait is bounded and whose failures to
 * reach the server carry a class of their own, so that one module
 * (unavailable.ts) tells "the database is away" from a bug without reading
 * any message text. Both knex (connection.ts) and the session store's
 * pg.Pool make their connections with these clients.
 */

export type UnreachableReason = 'connect-timeout' | 'answer-timeout' | 'no-free-connection' | 'connection-lost' | 'server-silent';

const DESCRIPTIONS: Record<UnreachableReason, string> = {
  'connect-timeout': 'no connection to the database within the time allowed',
  'server-silent': 'the database has not answered for a while; another connection is trying it',
  'answer-timeout': 'no answer from the database within the time allowed',
  'no-free-connection': 'no free database connection within the time allowed',
  'connection-lost': 'the connection to the database was lost',
};

/** The database could not be reached, or stopped answering: a client-side failure, with `reason` saying which. */
export class DatabaseUnreachableError extends Error {
  constructor(
    readonly reason: UnreachableReason,
    options: { cause?: unknown } = {},
  ) {
    const cause = options.cause as { code?: unknown; message?: unknown } | undefined;
    const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
    super(detail ? `${DESCRIPTIONS[reason]} (${detail})` : DESCRIPTIONS[reason], options);
    this.name = 'DatabaseUnreachableError';
  }
}

export interface ClientLimits {
  /** Until a new connection has passed PostgreSQL's start-up (TCP included). */
  connectMs: number;
  /**
   * Until the answer to a statement arrives; past it the server is taken as
   * gone and the connection is closed. Null for work that may rightly take
   * long (migrations, a lock awaited on purpose).
   */
  answerMs: number | null;
}

/**
 * Once a connection has heard nothing from the server within its limit
 * (the server's own statement timeout would have answered by then), or a
 * new one got no answer to its start-up, the server is taken as silent:
 * the connections of the same pool wait these shorter times, and only one
 * new connection at a time tries it (the others fail at once), until one
 * of them hears from it again. A request that runs several statements (or
 * renders its 503 page after the first failed) then fails in about one
 * limit, not one per statement, however many wait on the pool.
 */
const SILENT_SERVER_ANSWER_MS = 500;
const SILENT_SERVER_CONNECT_MS = 1000;
/** How long closing waits for the server's goodbye before the socket is simply destroyed. */
const CLOSE_WITHIN_MS = 1000;
/** First keep-alive probe after this much silence; the operating system sets the probes after it. */
const KEEP_ALIVE_AFTER_MS = 10_000;

/** True for failures that already say what they are: a server error, a system error, or one of ours. */
function isSelfExplaining(error: unknown): boolean {
  return (
    !(error instanceof Error) ||
    error instanceof DatabaseUnreachableError ||
    error instanceof pg.DatabaseError ||
    typeof (error as { errno?: unknown }).errno === 'number' ||
    typeof (error as { code?: unknown }).code === 'string'
  );
}

type Callback = (error: unknown, ...results: unknown[]) => void;

/**
 * Calls pg's method (`connect`, `query`) with `args`, whichever form it was
 * called in (last argument a callback, or a returned promise), passing each
 * error through `settle` and calling `settle` once it is over.
 */
function settleEach(call: (args: unknown[]) => unknown, args: unknown[], settle: (error?: unknown) => unknown): unknown {
  const last = args.at(-1);
  if (typeof last === 'function') {
    const callback = last as Callback;
    return call([...args.slice(0, -1), (error: unknown, ...results: unknown[]) => callback(settle(error), ...results)]);
  }
  const returned = call(args);
  if (!(returned instanceof Promise)) {
    // A Submittable (a cursor, a stream) runs its own course.
    settle();
    return returned;
  }
  return returned.then(
    (result: unknown) => {
      settle();
      return result;
    },
    (error: unknown) => {
      throw settle(error);
    },
  );
}

/** Fails a call at once, in whichever form it was made (a callback last, or a returned promise). */
function refuse(args: unknown[], error: Error): never {
  const callback = args.at(-1);
  if (typeof callback === 'function') {
    process.nextTick(() => (callback as Callback)(error));
    return undefined as never;
  }
  return Promise.reject(error) as never;
}

/** A pg.Client class with these limits, TCP keep-alive, and typed failures; one class per pool. */
export function boundedClient(limits: ClientLimits): typeof pg.Client {
  // Shared by the connections of one pool: whether the server has gone silent, and whether one is trying it.
  let serverSilent = false;
  let probing = false;
  return class BoundedClient extends pg.Client {
    constructor(config: string | pg.ClientConfig = {}) {
      const given = typeof config === 'string' ? { connectionString: config } : config;
      // pg's own connect timeout fails with an untyped error: this class keeps the time instead.
      super({ ...given, connectionTimeoutMillis: 0, keepAlive: true, keepAliveInitialDelayMillis: KEEP_ALIVE_AFTER_MS });
    }

    /** Ends the connection at once; the error is what every waiting query of it receives. */
    private giveUp(reason: UnreachableReason) {
      serverSilent = true;
      this.connection.stream.destroy(new DatabaseUnreachableError(reason));
    }

    /** An untyped failure of a connection whose socket is gone means the connection was lost. */
    private explain(error: unknown): unknown {
      if (isSelfExplaining(error)) return error;
      // pg marks a client it was asked to end, and one whose connection failed (a query on it then fails
      // untyped, "not queryable", even before its socket closes); neither is in its published types.
      const marks = this as { _ending?: boolean; _queryable?: boolean };
      const gone = this.connection.stream.destroyed || marks._ending === true || marks._queryable === false;
      return gone ? new DatabaseUnreachableError('connection-lost', { cause: error }) : error;
    }

    override connect(...args: unknown[]): never {
      if (serverSilent && probing) return refuse(args, new DatabaseUnreachableError('server-silent'));
      const probe = serverSilent;
      probing ||= probe;
      const connectMs = probe ? Math.min(limits.connectMs, SILENT_SERVER_CONNECT_MS) : limits.connectMs;
      const timer = setTimeout(() => this.giveUp('connect-timeout'), connectMs).unref();
      const settle = (error?: unknown) => {
        clearTimeout(timer);
        if (probe) probing = false;
        if (error === undefined || error === null || error instanceof pg.DatabaseError) serverSilent = false;
        return error === undefined || error === null ? error : this.explain(error);
      };
      return settleEach((given) => super.connect.apply(this, given as never), args, settle) as never;
    }

    override query(...args: unknown[]): never {
      const answerMs = limits.answerMs === null || !serverSilent ? limits.answerMs : Math.min(limits.answerMs, SILENT_SERVER_ANSWER_MS);
      const timer = answerMs === null ? undefined : setTimeout(() => this.giveUp('answer-timeout'), answerMs).unref();
      const settle = (error?: unknown) => {
        clearTimeout(timer);
        // Any answer, an error message included, shows the server is there.
        if (error === undefined || error === null || error instanceof pg.DatabaseError) serverSilent = false;
        return error === undefined || error === null ? error : this.explain(error);
      };
      return settleEach((given) => super.query.apply(this, given as never), args, settle) as never;
    }

    /** A server that has gone silent never says goodbye: the socket is destroyed after a short wait. */
    override end(...args: unknown[]): never {
      const { connection } = this;
      const forced = setTimeout(() => connection.stream.destroy(), CLOSE_WITHIN_MS).unref();
      connection.once('end', () => clearTimeout(forced));
      return super.end.apply(this, args as never) as never;
    }
  };
}

/**
 * A pg.Pool whose own failures (no free connection in time, a pool already
 * closed) are typed too; what its clients report passes through as it is.
 */
export class BoundedPool extends pg.Pool {
  override connect(...args: unknown[]): never {
    const explain = (error?: unknown) => {
      if (error === undefined || error === null) return error;
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof DatabaseUnreachableError) return cause;
      return isSelfExplaining(error) ? error : new DatabaseUnreachableError('no-free-connection', { cause: error });
    };
    return settleEach((given) => super.connect.apply(this, given as never), args, explain) as never;
  }
}
