import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines on standard output (or `destination`). The request log writes
 * no headers or bodies at all; these paths are the second line of defence,
 * for anything that puts a request, a form or an error object into a line.
 * A PostgreSQL error's `detail` quotes the offending row's values.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
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
  return destination ? pino(options, destination) : pino(options);
}
