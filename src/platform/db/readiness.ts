import type { Database } from './connection.js';
import { probePostingTables } from './readiness-queries.js';
import { isDatabaseUnavailable, isResourceRefusal } from './unavailable.js';

/** /readyz answers within this, whatever the database does. */
export const READINESS_WITHIN_MS = 2000;
/**
 * After the server refused a statement for lack of resources (a full disk:
 * the probe below writes nothing, so it cannot see one), the process reads
 * as not ready for this long.
 */
const REFUSAL_REMEMBERED_MS = 10_000;

const lastRefusalAt = new WeakMap<Database, number>();
const checking = new WeakMap<Database, Promise<string | null>>();

/** Notes every statement of `db` that the server refused for lack of resources. */
export function followResourceRefusals(db: Database): void {
  db.on('query-error', (error: unknown) => {
    if (isResourceRefusal(error)) lastRefusalAt.set(db, Date.now());
  });
}

function withinTime<T>(work: Promise<T>, ms: number, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(late), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function check(db: Database): Promise<string | null> {
  const refusedAt = lastRefusalAt.get(db);
  if (refusedAt !== undefined && Date.now() - refusedAt < REFUSAL_REMEMBERED_MS) {
    return 'the database refused a write for lack of resources a moment ago';
  }
  const probe = probePostingTables(db).then(
    () => null,
    (error: unknown) => (isDatabaseUnavailable(error) ? 'comments cannot be written just now' : 'the readiness check failed'),
  );
  return withinTime(probe, READINESS_WITHIN_MS, `no answer from the database within ${READINESS_WITHIN_MS / 1000} s`);
}

/**
 * Null when the database would take a comment now (the pool posting uses
 * hands out a connection, and the tables a post writes are not locked),
 * else why not. Within READINESS_WITHIN_MS; requests that come while a
 * check runs share it, so a crowd of probes costs the database one.
 */
export function readinessProblem(db: Database): Promise<string | null> {
  let running = checking.get(db);
  if (!running) {
    running = check(db).finally(() => checking.delete(db));
    checking.set(db, running);
  }
  return running;
}
