import knex from 'knex';
import { DatabaseUnreachableError } from './bounded-client.js';

/**
 * The one place that decides whether a failure means "the database is not
 * available just now" (answered 503 with Retry-After, a comment's text
 * given back) rather than a fault of ours (500). Server errors are told by
 * their SQLSTATE, client-side ones by their class or errno; never by the
 * wording of a message, which changes between versions and languages.
 */

/** Whole SQLSTATE classes: 08 connection exception, 53 insufficient resources (disk full, out of memory, too many connections). */
const UNAVAILABLE_CLASSES = new Set(['08', '53']);

const UNAVAILABLE_CODES = new Set([
  // object not in prerequisite state: the database does not accept connections (ALLOW_CONNECTIONS false)
  '55000',
  // lock not available: lock_timeout, a table held by a migration or by hand
  '55P03',
  // query canceled: statement_timeout, or cancelled by an administrator
  '57014',
  // admin shutdown, crash shutdown, cannot connect now (starting, stopping, in recovery)
  '57P01',
  '57P02',
  '57P03',
]);

/** System errors of a connection that failed or broke. */
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** A server error's SQLSTATE, or undefined. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SQLSTATE.test(code) ? code : undefined;
}

function isUnavailableSqlState(code: string): boolean {
  return UNAVAILABLE_CODES.has(code) || UNAVAILABLE_CLASSES.has(code.slice(0, 2));
}

function isUnavailableHere(error: object): boolean {
  if (error instanceof DatabaseUnreachableError || error instanceof knex.KnexTimeoutError) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  // First: EPIPE has the shape of a SQLSTATE too.
  return UNAVAILABLE_ERRNOS.has(code) || (SQLSTATE.test(code) && isUnavailableSqlState(code));
}

/** True when `error` (or an error it wraps) means the database cannot serve this request just now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Object && depth < 5; depth++) {
    if (isUnavailableHere(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** SQLSTATE class 53: the server refused for lack of resources (a full disk, memory, connection slots). */
export function isResourceRefusal(error: unknown): boolean {
  return sqlStateOf(error)?.startsWith('53') ?? false;
}
