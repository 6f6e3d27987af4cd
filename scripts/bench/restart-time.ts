import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { DEMO_SLUG, whenGone } from './database.js';
import { freePort, hasExited, stopChild } from './processes.js';
import { appEnvironment, spawnApp, type Build } from './scale-app.js';
import { sleep, verdict, type OnCleanUp, type Say, type Verdict } from './scale-kit.js';

/**
 * Row: restart with existing data, embedded database included. The compiled
 * app is started once on a fresh DATA_DIR (creating the cluster, migrating,
 * loading the demo article), stopped with SIGTERM, then started again on the
 * same DATA_DIR several times, each timed from spawn to the first 200 of the
 * article page.
 */

export const RESTART_TARGET_SECONDS = 3;

export interface RestartInput {
  build: Build;
  folder: string;
  runs: number;
  say: Say;
  onCleanUp: OnCleanUp;
}

/** Polls `url` every 20 ms until it answers 200; resolves with the milliseconds since `startedAt`. */
async function firstOk(url: string, child: ChildProcess, startedAt: number, timeoutMs: number): Promise<number> {
  for (;;) {
    if (hasExited(child)) throw new Error(`the app exited (code ${child.exitCode}) before ${url} answered`);
    const status = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status;
      },
      () => 0,
    );
    const elapsed = performance.now() - startedAt;
    if (status === 200) return elapsed;
    if (elapsed > timeoutMs) throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
    await sleep(20);
  }
}

/** SIGTERM, then waits for the process and for its PostgreSQL to be gone. */
async function stopAndWait(child: ChildProcess, dataDir: string): Promise<number | null> {
  const { code } = await stopChild(child, 'SIGTERM', 30_000);
  await whenGone(path.join(dataDir, 'db', 'postmaster.pid'), 20_000);
  return code;
}

export async function measureRestart(input: RestartInput): Promise<Verdict> {
  const { build, folder, runs, say, onCleanUp } = input;
  const dataDir = path.join(folder, 'restart-data');
  const port = await freePort();
  // The same secret each time, as a deployment keeps it; no DATABASE_URL: the embedded cluster.
  const env = appEnvironment({ databaseUrl: undefined, dataDir, label: 'restart' }, port, randomBytes(32).toString('base64url'));
  const url = `http://127.0.0.1:${port}/articles/${DEMO_SLUG}`;
  let current: ChildProcess | undefined;
  onCleanUp(async () => {
    if (current) await stopAndWait(current, dataDir);
  });

  say('restart with existing data: first start on an empty DATA_DIR (creates the embedded cluster)…');
  const firstStartedAt = performance.now();
  current = spawnApp(build, env, () => {});
  const first = await firstOk(url, current, firstStartedAt, 180_000);
  say(`  first start answered 200 after ${(first / 1000).toFixed(1)} s; stopping it with SIGTERM…`);
  const firstCode = await stopAndWait(current, dataDir);
  if (firstCode !== 0) throw new Error(`the app exited with code ${firstCode} on SIGTERM`);

  const times: number[] = [];
  const codes: Array<number | null> = [];
  for (let index = 0; index < runs; index++) {
    const startedAt = performance.now();
    current = spawnApp(build, env, () => {});
    times.push(await firstOk(url, current, startedAt, 60_000));
    say(`  restart ${index + 1}/${runs}: first 200 after ${(times.at(-1)! / 1000).toFixed(2)} s`);
    codes.push(await stopAndWait(current, dataDir));
  }
  current = undefined;
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]! / 1000;
  const unclean = codes.filter((code) => code !== 0);
  return verdict(
    'restart with existing data to first 200',
    `median ${median.toFixed(2)} s of ${runs} (${times.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s)`,
    `≤ ${RESTART_TARGET_SECONDS} s`,
    median <= RESTART_TARGET_SECONDS && unclean.length === 0,
    [
      `compiled app (node …/src/server.js), NODE_ENV=production, embedded PostgreSQL in DATA_DIR; timed from spawn to the first 200 of /articles/${DEMO_SLUG}`,
      `first start on an empty DATA_DIR (initdb, migrations, demo article): ${(first / 1000).toFixed(1)} s, not counted`,
      ...(unclean.length ? [`${unclean.length} stops did not exit with code 0: ${unclean.join(', ')}`] : []),
    ],
  );
}
