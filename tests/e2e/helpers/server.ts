import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { freePort } from '../../helpers/processes.js';
import { projectProgram } from '../../helpers/project-program.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONFIG_VARIABLES } from '../../../src/platform/config.js';
import { projectRoot } from '../../../src/platform/paths.js';

/** The admin the app creates at start (ADMIN_USERNAME / ADMIN_PASSWORD), and the suite again after each reset. */
export const ADMIN = { username: 'editor', password: 'correct horse battery staple' } as const;

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export interface RunningApp {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  baseUrl: string;
  /** What the server has printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Polls /readyz until the app answers 200, the process dies, or time runs out. */
async function waitUntilReady(baseUrl: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The app exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready:\n${output()}`);
    }
    try {
      const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`The app did not answer ${baseUrl}/readyz within ${START_TIMEOUT_MS / 1000} s:\n${output()}`);
}

/** Our environment without the app's own settings, so none leaks in from the shell that ran the tests. */
function inheritedEnvironment(): NodeJS.ProcessEnv {
  const environment = { ...process.env };
  for (const name of CONFIG_VARIABLES) delete environment[name];
  delete environment.NODE_TEST_CONTEXT;
  return environment;
}

/**
 * Starts the real server (src/server.ts, from the code the tests run from) on a free port,
 * over DATABASE_URL, with its own temporary DATA_DIR; it migrates and seeds
 * the database itself, as it does in production.
 */
export async function startApp(): Promise<RunningApp> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('The browser tests need DATABASE_URL: run them with `npm run test:e2e` or `npm test`.');
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-e2e-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  let printed = '';
  // From the repository root, as `npm start` runs it.
  const child = spawn(process.execPath, projectProgram('src/server.ts'), {
    cwd: projectRoot,
    env: {
      ...inheritedEnvironment(),
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(port),
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    printed += chunk.toString('utf8');
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const output = () => printed;
  let ready = false;

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) {
      // It died while the tests ran: what it printed is the likeliest explanation of their failures.
      if (ready) process.stderr.write(`The app had already exited (code ${child.exitCode}, signal ${child.signalCode}):\n${printed}\n`);
    } else {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited(child);
      clearTimeout(killer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitUntilReady(baseUrl, child, output);
    ready = true;
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, output, stop };
}
