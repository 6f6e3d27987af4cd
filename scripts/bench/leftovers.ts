import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { sleep, type Say } from './scale-kit.js';

/**
 * What a run killed outright leaves behind. Every run cleans up after itself,
 * Ctrl-C included, but a process can be killed before it is done (a wrapper
 * such as `npx tsx` SIGKILLs a child that is slow to acknowledge a signal,
 * which a machine under heavy load can be). So every folder and scratch
 * database carries the id of the process that made it, and the next run
 * removes those whose process is gone.
 */

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `<prefix><pid>-<anything>`: the pid of the process that made it, or null. */
function ownerOf(name: string, prefix: string): number | null {
  const match = new RegExp(`^${prefix}(\\d+)[-_]`).exec(name);
  return match ? Number(match[1]) : null;
}

/** Removes folders named `<prefix><pid>-…` in `parent` whose process is gone. */
export async function sweepFolders(parent: string, prefix: string, say: Say): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names) {
    const owner = ownerOf(name, prefix);
    if (owner === null || isAlive(owner)) continue;
    const folder = path.join(parent, name);
    say(`Removing ${folder}, left by an earlier run (process ${owner} is gone).`);
    await stopProcessesRunning(folder);
    await stopLeftoverCluster(folder);
    await rm(folder, { recursive: true, force: true });
  }
}

/** Processes whose command line names something in `folder` (an app started from a stale build): SIGTERM, then SIGKILL. */
async function stopProcessesRunning(folder: string): Promise<void> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const running: number[] = [];
  for (const pid of pids) {
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (pid !== process.pid && commandLine.includes(`${folder}${path.sep}`)) running.push(pid);
  }
  for (const pid of running) process.kill(pid, 'SIGTERM');
  for (const deadline = Date.now() + 20_000; running.some(isAlive) && Date.now() < deadline;) await sleep(100);
  for (const pid of running.filter(isAlive)) process.kill(pid, 'SIGKILL');
}

/** An embedded PostgreSQL anywhere below `folder` that is still running gets a fast shutdown. */
async function stopLeftoverCluster(folder: string): Promise<void> {
  const entries = await readdir(folder, { recursive: true }).catch(() => [] as string[]);
  for (const entry of entries.filter((name) => path.basename(name) === 'postmaster.pid')) {
    const pidFile = path.join(folder, entry);
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) continue;
    process.kill(pid, 'SIGINT');
    for (const deadline = Date.now() + 20_000; existsSync(pidFile) && Date.now() < deadline;) await sleep(100);
  }
}

/** Marks a folder made by mkdtemp (which names it at random) with this process, for sweepMarkedFolders. */
export async function markOwner(folder: string): Promise<void> {
  await writeFile(path.join(folder, 'owner.pid'), String(process.pid));
}

/** Removes folders `<prefix>*` in `parent` marked by markOwner whose process is gone. */
export async function sweepMarkedFolders(parent: string, prefix: string, say: Say): Promise<void> {
  const names = (await readdir(parent).catch(() => [] as string[])).filter((name) => name.startsWith(prefix));
  for (const name of names) {
    const folder = path.join(parent, name);
    const owner = Number(await readFile(path.join(folder, 'owner.pid'), 'utf8').catch(() => ''));
    if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) continue;
    say(`Removing ${folder}, left by an earlier run (process ${owner} is gone).`);
    await stopLeftoverCluster(folder);
    await rm(folder, { recursive: true, force: true });
  }
}

/** Drops databases `<prefix><pid>_…` on the server of `url` whose process is gone from this machine. */
export async function sweepDatabases(url: string, prefix: string, say: Say): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
    for (const { datname } of rows) {
      const owner = ownerOf(datname, prefix);
      if (owner === null || isAlive(owner) || !/^[a-z0-9_]+$/.test(datname)) continue;
      say(`Dropping the database ${datname}, left by an earlier run (process ${owner} is gone).`);
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}
