import { stopAllChildren } from '../bench/processes.js';

export interface CleanUp {
  /** Undo steps, run last first. */
  readonly steps: Array<() => Promise<unknown>>;
  /** Runs every step, then stops any child process left; safe to call more than once. */
  readonly run: () => Promise<void>;
  /** Aborted when SIGINT or SIGTERM arrives: no further work should start. */
  readonly stopping: AbortSignal;
}

/**
 * Clean-up for a long script (bench, fault injection): whatever it started
 * or created is undone on every way out, Ctrl-C and SIGTERM included, which
 * then exit with 130 and 143.
 */
export function cleanUpOnExit(say: (message: string) => void): CleanUp {
  const steps: Array<() => Promise<unknown>> = [];
  const stopping = new AbortController();
  let cleaning: Promise<void> | undefined;
  const run = () => {
    cleaning ??= (async () => {
      for (const step of steps.reverse()) {
        await step().catch((error: unknown) => say(`cleanup: ${error instanceof Error ? error.message : String(error)}`));
      }
      await stopAllChildren();
    })();
    return cleaning;
  };
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      // tsx passes the terminal's Ctrl-C on as well, so the same signal can come twice.
      if (!cleaning) say(`${signal}: stopping and cleaning up…`);
      stopping.abort(new Error(`stopped by ${signal}`));
      void run().finally(() => process.exit(code));
    });
  }
  return { steps, run, stopping: stopping.signal };
}
