import { spawn, type ChildProcess } from 'node:child_process';
import { withHeapFlags } from '../../src/platform/heap-settings.js';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../src/platform/paths.js';
import { freePort, productionAppEnvironment, stopChild, waitForOk } from './processes.js';
import { sweepFolders } from './leftovers.js';
import { descendantsOf, executableOf } from './proc.js';
import type { OnCleanUp, Say } from './scale-kit.js';

/**
 * The app as it runs in production: compiled by the project's own build
 * settings, started with `node …/src/server.js`, NODE_ENV=production. So the
 * process measured (memory, restart time) is the real node process, not tsx
 * (whose loader thread is a second JavaScript heap) nor npm.
 */

const BUILD_PREFIX = 'broadsheet-bench-';

export interface Build {
  serverFile: string;
}

/**
 * Compiles the project with tsconfig.build.json, as `npm run build` does,
 * into a folder of its own inside node_modules/.cache: the project's dist/
 * is left to whoever else builds in this tree, and the compiled app still
 * finds the project (views, content) above it. Removed at clean-up.
 */
export async function buildApp(say: Say, onCleanUp: OnCleanUp): Promise<Build> {
  const cache = path.join(projectRoot, 'node_modules', '.cache');
  await sweepFolders(cache, BUILD_PREFIX, say);
  const outDir = path.join(cache, `${BUILD_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
  onCleanUp(() => rm(outDir, { recursive: true, force: true }));
  say(`Compiling the app (tsconfig.build.json) into ${path.relative(projectRoot, outDir)}…`);
  const startedAt = Date.now();
  const tsc = path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir, '--tsBuildInfoFile', path.join(outDir, '.tsbuildinfo')];
  const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  // Stopped before its folder is removed, or it would write the folder back.
  onCleanUp(async () => void (await stopChild(child)));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal })),
  );
  if (signal) throw new Error(`the build was stopped (${signal})`);
  const serverFile = path.join(outDir, 'src', 'server.js');
  if (!existsSync(serverFile)) throw new Error(`the build produced no server (tsc exit ${code}):\n${output.slice(0, 2000)}`);
  if (code !== 0) {
    const errors = output.split('\n').filter((line) => line.includes('error TS'));
    say(
      `  warning: tsc reported ${errors.length} type errors (first: ${errors[0]?.trim() ?? 'see above'}); timing the JavaScript it emitted anyway.`,
    );
  }
  say(`  compiled in ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`);
  return { serverFile };
}

const LOG_LINES_SHOWN = 5;

export interface RunningApp {
  base: string;
  child: ChildProcess;
  pid: number;
  /** Stops it (SIGTERM, as a supervisor would) and waits for it to exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface AppOptions {
  /** Postgres URL; undefined: the app starts its embedded database in DATA_DIR. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Extra environment, e.g. WEB_CONCURRENCY or ADMIN_USERNAME. */
  env?: Record<string, string>;
  label: string;
  /** How long start-up may take. */
  timeoutMs?: number;
  /** Options for node itself, e.g. --cpu-prof. */
  nodeOptions?: string[];
}

/** The environment the app gets: production, a fixed session secret, nothing inherited that would change it. */
export function appEnvironment(options: AppOptions, port: number, sessionSecret: string): NodeJS.ProcessEnv {
  return productionAppEnvironment({ databaseUrl: options.databaseUrl, dataDir: options.dataDir, port, sessionSecret, extra: options.env });
}

/** Spawns the compiled server; `onLine` gets its standard output line by line. */
export function spawnApp(build: Build, env: NodeJS.ProcessEnv, onLine: (line: string) => void, nodeOptions: string[] = []): ChildProcess {
  // The heap flags `npm start` gives the app: the bench measures the process operators run.
  const child = spawn(process.execPath, [...withHeapFlags(nodeOptions), build.serverFile], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  createInterface({ input: child.stdout }).on('line', onLine);
  return child;
}

/** Starts the compiled app and waits until it answers /readyz. */
export async function startApp(build: Build, options: AppOptions, say: Say, onCleanUp: OnCleanUp): Promise<RunningApp> {
  const port = await freePort();
  const env = appEnvironment(options, port, randomBytes(32).toString('base64url'));
  // Only the app's log lines (warnings and errors, as JSON): its start-up text would print a generated admin password.
  // Under load one failure can log thousands of times; the first few say what it is.
  let logged = 0;
  const child = spawnApp(
    build,
    env,
    (line) => {
      if (!line.startsWith('{')) return;
      logged++;
      if (logged <= LOG_LINES_SHOWN) say(`  ${options.label}: ${line.length > 600 ? `${line.slice(0, 600)}…` : line}`);
      else if (logged === LOG_LINES_SHOWN + 1) say(`  ${options.label}: (further log lines not shown)`);
    },
    options.nodeOptions,
  );
  const stop = () => stopChild(child, 'SIGTERM', 20_000);
  onCleanUp(async () => void (await stop()));
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/readyz`, child, options.timeoutMs ?? 90_000);
  return { base, child, pid: child.pid!, stop };
}

/** The app's node processes: itself and any node process below it (cluster workers); never its PostgreSQL. */
export async function nodeProcessesOf(app: RunningApp): Promise<number[]> {
  const below = await descendantsOf(app.pid);
  const node = await realpath(process.execPath);
  const programs = await Promise.all(below.map(async (pid) => ({ pid, program: await executableOf(pid) })));
  return [app.pid, ...programs.filter(({ program }) => program === node).map(({ pid }) => pid)];
}
