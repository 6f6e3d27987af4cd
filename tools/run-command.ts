import { ConfigError } from '../src/platform/config.js';

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Runs a command-line script's main function and turns its outcome into an
 * exit code. Errors the user can act on (a bad setting, a refused input) are
 * printed as they are; anything else gets `failurePrefix` so the line says
 * what was being attempted. Never a stack trace.
 */
export function runCommand(failurePrefix: string, main: () => Promise<number | void>, userErrors: ErrorClass[] = []): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (error: unknown) => {
      const known = [ConfigError, ...userErrors].some((kind) => error instanceof kind);
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${known ? '' : `${failurePrefix}: `}${message}\n`);
      process.exitCode = 1;
    },
  );
}
