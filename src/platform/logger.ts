import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on standard output (or `destination`). The request log writes
 * no headers or bodies at all; these paths are the second line of defence,
 * for anything that puts a request, a form or an error object into a line.
 * A PostgreSQL error's `detail` quotes the offending row's values.
 */
export function createLogger(level: string, destination: DestinationStream = bufferedStandardOutput()): Logger {
  const options = {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        '*.password',
        '*.author_email',
        '*.email',
        '*._csrf',
        '*.csrfToken',
        'err.detail',
      ],
      censor: '[redacted]',
    },
  };
  return pino(options, destination);
}

/** Largest write a pipe takes whole: writers sharing one (cluster workers) never split each other's lines. */
const PIPE_BUF = 4096;

/**
 * Standard output, written a few lines at a time rather than one write per
 * line: a write per request costs a busy server more than the rest of
 * serving a cached page. Each write holds whole lines, at most PIPE_BUF
 * bytes; what is buffered goes out within a second, and at exit (pino
 * flushes it on exit, uncaught exceptions included).
 */
function bufferedStandardOutput(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: PIPE_BUF - 1024, maxWrite: PIPE_BUF, periodicFlush: 1000 });
}
