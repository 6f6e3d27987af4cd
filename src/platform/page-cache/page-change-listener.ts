import net from 'node:net';
import pg from 'pg';
import type { Database } from '../db/connection.js';
import type { Logger } from '../logger.js';
import type { ChangeFollower } from './change-follower.js';
import { HOME_TAG, SETTINGS_TAG } from './page-cache.js';

/** Named in the notify-page-changes migration too. */
export const PAGE_CHANGES_CHANNEL = 'page_changes';

/**
 * One dedicated PostgreSQL connection per process that LISTENs for page
 * changes and drops the cached pages they make stale, so that a cache hit
 * asks the database nothing.
 *
 * A notification missed is a stale page served for ever, so nothing is
 * trusted while the connection is not listening: the attached caches are
 * emptied and keep nothing (every page is rendered, every value read),
 * until the listener has reconnected (with back-off) and LISTENs again.
 * A heartbeat finds a connection that died without a word.
 *
 * Changes committed by this very process are heard before a cached page is
 * served again: after such a write a hit waits for one round trip on the
 * listening connection, and PostgreSQL delivers a notification committed
 * before a query ahead of that query's answer. So a moderator who approves
 * a comment sees it at once on the instance they used; other instances
 * hear it within a few milliseconds.
 */
export interface PageChangeListener {
  /**
   * Feeds a cache from this listener; returns how to stop. Writes through
   * `writesThrough` (the app's knex) are heard before the cache serves again.
   */
  attach(cache: ChangeFollower, writesThrough?: Database): () => void;
  readonly listening: boolean;
  /** The listening connection's server process, while there is one. */
  readonly backendPid: number | null;
  /** Resolves once LISTEN is in effect. */
  whenListening(): Promise<void>;
  close(): Promise<void>;
}

export interface PageChangeListenerOptions {
  connectionString: string;
  logger: Logger;
  /** Back-off between attempts to reconnect. */
  retryDelayMs?: { first: number; max: number };
  heartbeatMs?: number;
}

const ROUND_TRIP_TIMEOUT_MS = 3000;
/**
 * The heartbeat asks for a round trip this often and gives up on the
 * connection when its answer takes longer than HEARTBEAT_ANSWER_MS: a
 * connection that froze without a word is stopped being trusted within
 * heartbeat + answer, about a second, the longest another process's change
 * can go unheard.
 */
const HEARTBEAT_MS = 500;
const HEARTBEAT_ANSWER_MS = 500;

/** Which cached pages a notification payload makes stale. */
export function applyPageChange(cache: ChangeFollower, payload: string): void {
  if (payload === HOME_TAG || payload === SETTINGS_TAG || /^article:\d{1,19}$/.test(payload)) cache.invalidate(payload);
  else cache.clear();
}

export function startPageChangeListener(options: PageChangeListenerOptions): PageChangeListener {
  const { logger } = options;
  const retry = options.retryDelayMs ?? { first: 100, max: 5000 };
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const caches = new Set<ChangeFollower>();
  const followed = new WeakSet<Database>();
  let client: pg.Client | null = null;
  let listening = false;
  let pid: number | null = null;
  let closed = false;
  let delay = retry.first;
  let retryTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let waiters: Array<() => void> = [];
  const writes = { seen: 0, heard: 0, round: null as Promise<void> | null };
  const roundsUnderWay = new Set<() => void>();

  const setListening = (heard: boolean) => {
    listening = heard;
    for (const cache of caches) cache.listening = heard;
  };

  /**
   * A query on the listening connection; an error or a silence means the
   * connection is lost. The silence is judged after the I/O already waiting
   * (setImmediate): an answer that came while this process was busy counts.
   */
  const roundTrip = (on: pg.Client, answerMs = ROUND_TRIP_TIMEOUT_MS) =>
    new Promise<void>((resolve) => {
      // Settled when the connection is lost, too: nobody waits on a connection the heartbeat gave up on.
      const settle = () => {
        roundsUnderWay.delete(settle);
        resolve();
      };
      roundsUnderWay.add(settle);
      let answered = false;
      const silence = setTimeout(
        () =>
          setImmediate(() => {
            if (answered) return;
            lose(on, new Error('no answer on the listening connection'));
            settle();
          }),
        answerMs,
      ).unref();
      on.query('SELECT 1').then(
        () => {
          answered = true;
          clearTimeout(silence);
          settle();
        },
        (error: unknown) => {
          answered = true;
          clearTimeout(silence);
          lose(on, error);
          settle();
        },
      );
    });

  const lose = (lost: pg.Client, error?: unknown) => {
    if (lost !== client) return;
    client = null;
    pid = null;
    clearInterval(heartbeat);
    for (const settle of [...roundsUnderWay]) settle();
    lost.end().catch(() => {});
    // Said once per outage, not once per failed attempt.
    if (listening || delay === retry.first) {
      logger.warn({ err: error }, 'page-change listener is not listening; pages are rendered for each request until it is back');
    }
    setListening(false);
    if (!closed) {
      retryTimer = setTimeout(() => void connect(), delay * (0.5 + Math.random())).unref();
      delay = Math.min(delay * 2, retry.max);
    }
  };

  async function connect() {
    if (closed) return;
    const connection = new pg.Client({
      connectionString: options.connectionString,
      application_name: 'broadsheet-page-changes',
      connectionTimeoutMillis: ROUND_TRIP_TIMEOUT_MS,
      keepAlive: true,
      // This connection only ever waits: it must not keep a process alive that is done.
      stream: () => new net.Socket().unref(),
    });
    client = connection;
    connection.on('error', (error) => lose(connection, error));
    connection.on('end', () => lose(connection, new Error('connection ended')));
    connection.on('notification', (message) => {
      if (message.channel !== PAGE_CHANGES_CHANNEL) return;
      for (const cache of caches) applyPageChange(cache, message.payload ?? '');
    });
    try {
      await connection.connect();
      await connection.query(`LISTEN ${PAGE_CHANGES_CHANNEL}`);
      const backend = await connection.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      pid = backend.rows[0]?.pid ?? null;
    } catch (error) {
      return lose(connection, error);
    }
    if (client !== connection) return;
    // From here on every commit is heard; what was cached or read before is not trusted.
    setListening(true);
    writes.heard = writes.seen;
    delay = retry.first;
    logger.info('page-change listener is listening');
    heartbeat = setInterval(() => void roundTrip(connection, HEARTBEAT_ANSWER_MS), heartbeatMs).unref();
    for (const resolve of waiters) resolve();
    waiters = [];
  }

  /** Resolves once every write seen so far has been heard. */
  async function hearWrites(target: number): Promise<void> {
    while (writes.heard < target && listening && client) {
      if (!writes.round) {
        const covers = writes.seen;
        const on = client;
        writes.round = roundTrip(on).then(() => {
          if (client === on) writes.heard = Math.max(writes.heard, covers);
          writes.round = null;
        });
      }
      await writes.round;
    }
  }

  const followWritesOf = (db: Database) => {
    if (followed.has(db)) return;
    followed.add(db);
    writes.seen += 1;
    followCommits(db, () => {
      writes.seen += 1;
      if (!listening) writes.heard = writes.seen;
    });
  };

  const writesHeard = () => (listening && writes.heard < writes.seen ? hearWrites(writes.seen) : null);

  void connect();

  return {
    attach(cache, writesThrough) {
      caches.add(cache);
      cache.clear();
      cache.listening = listening;
      if (writesThrough) {
        followWritesOf(writesThrough);
        // Writes committed before this cache was attached may still be on their way.
        writes.seen += 1;
        cache.localWritesHeard = writesHeard;
      }
      return () => {
        caches.delete(cache);
        cache.localWritesHeard = () => null;
        cache.listening = false;
      };
    },
    get listening() {
      return listening;
    },
    get backendPid() {
      return listening ? pid : null;
    },
    whenListening() {
      return listening ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      const open = client;
      client = null;
      clearInterval(heartbeat);
      setListening(false);
      for (const cache of caches) cache.localWritesHeard = () => null;
      caches.clear();
      await open?.end().catch(() => {});
    },
  };
}

interface QueryEvent {
  sql?: string;
  __knexUid?: string;
  __knexTxId?: string;
}

/**
 * Calls `committed` when a connection of this knex that may have committed a
 * change goes back to its pool: by then the commit has been answered. Inside
 * a transaction only COMMIT counts; outside one anything but a read.
 */
function followCommits(db: Database, committed: () => void): void {
  const pool = (db.client as { pool?: { on?(event: 'release', listener: (connection: QueryEvent) => void): void } }).pool;
  if (!pool?.on) return;
  const writing = new Set<string>();
  db.on('query', (query: QueryEvent) => {
    const sql = query.sql?.trimStart().slice(0, 10).toLowerCase() ?? '';
    const mayCommit = query.__knexTxId ? sql.startsWith('commit') : !/^(select|show|explain|begin|rollback|savepoint|release)\b/.test(sql);
    if (mayCommit && query.__knexUid) writing.add(query.__knexUid);
  });
  pool.on('release', (connection) => {
    if (connection.__knexUid && writing.delete(connection.__knexUid)) committed();
  });
}
