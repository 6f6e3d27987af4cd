import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** Children started by the bench, so that any way out stops all of them. */
const children = new Set<ChildProcess>();

/** Runs a TypeScript file of this project in its own Node process. */
export function startTypeScript(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; ipc?: boolean; quiet?: boolean; nodeOptions?: string[] } = {},
): ChildProcess {
  const output = options.quiet ? 'pipe' : 'inherit';
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), '--import', 'tsx', file, ...args], {
    env: options.env ?? process.env,
    stdio: ['ignore', output, 'inherit', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

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

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child)));
}

/** The next message from a child that has `key`, or a failure if the child exits first. */
export function nextMessage<T>(child: ChildProcess, key: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const cleanUp = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: unknown) => {
      if (typeof message !== 'object' || message === null) return;
      if ('error' in message) {
        cleanUp();
        reject(new Error(String((message as { error: unknown }).error)));
      } else if (key in message) {
        cleanUp();
        resolve((message as Record<string, T>)[key]!);
      }
    };
    const onExit = (code: number | null) => {
      cleanUp();
      reject(new Error(`child process exited (code ${code}) before answering`));
    };
    const timer = setTimeout(() => {
      cleanUp();
      reject(new Error(`no answer from a child process within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

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
