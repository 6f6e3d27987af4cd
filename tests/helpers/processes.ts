import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** Child-process helpers shared by the tests that start programs and by the bench. */

export const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Asks a child to stop, forcing it after `graceMs`; resolves with how it ended. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    const done = () => resolve({ code: child.exitCode, signal: child.signalCode });
    if (hasExited(child)) return done();
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill(signal);
  });
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `url` until it answers 200, failing early if `child` dies. */
export async function waitForOk(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (hasExited(child)) throw new Error(`the app exited (code ${child.exitCode}) before ${url} answered`);
    const status = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
