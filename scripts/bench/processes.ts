import { spawn, type ChildProcess } from 'node:child_process';
import { MALLOC_SETTINGS } from '../../src/platform/malloc-settings.js';
import { stopChild } from '../../tests/helpers/processes.js';
import { CONFIG_VARIABLES } from '../../src/platform/config.js';

// One copy of the process helpers, kept with the tests that use them too.
export { freePort, hasExited, stopChild, waitForOk } from '../../tests/helpers/processes.js';

/** Children started by the bench, so that any way out stops all of them. */
const children = new Set<ChildProcess>();

/** Runs a TypeScript file of this project in its own Node process. */
export function startTypeScript(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; ipc?: boolean; quiet?: boolean } = {},
): ChildProcess {
  const output = options.quiet ? 'pipe' : 'inherit';
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    env: options.env ?? process.env,
    stdio: ['ignore', output, 'inherit', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
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
        reject(new Error(String(message.error)));
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

/**
 * The environment of an app a script starts: production, one process, on
 * 127.0.0.1:`port`, with nothing of the shell's own app settings; `extra`
 * adds or overrides (TRUST_PROXY, WEB_CONCURRENCY…).
 */
export function productionAppEnvironment(settings: {
  /** Postgres URL; undefined: the app starts its embedded database in DATA_DIR. */
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  sessionSecret: string;
  extra?: Record<string, string>;
}): NodeJS.ProcessEnv {
  const inherited: NodeJS.ProcessEnv = { ...process.env };
  // None of the shell's app settings is inherited: an SMTP_URL would send real mail.
  for (const name of CONFIG_VARIABLES) delete inherited[name];
  return {
    ...inherited,
    NODE_ENV: 'production',
    SESSION_SECRET: settings.sessionSecret,
    ...(settings.databaseUrl ? { DATABASE_URL: settings.databaseUrl } : {}),
    DATA_DIR: settings.dataDir,
    HOST: '127.0.0.1',
    PORT: String(settings.port),
    LOG_LEVEL: 'warn',
    WEB_CONCURRENCY: '1',
    // As `npm start` and the Docker image start it.
    ...MALLOC_SETTINGS,
    ...settings.extra,
  };
}
