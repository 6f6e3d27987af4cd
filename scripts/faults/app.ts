import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { projectRoot } from '../../src/platform/paths.js';
import { freePort, productionAppEnvironment, startTypeScript, stopChild, waitForOk } from '../bench/processes.js';

type Say = (message: string) => void;

interface LogEntry {
  level?: number;
  msg?: string;
  req?: { method?: string; path?: string };
  res?: { status?: number };
  err?: { message?: string };
}

/**
 * A short description of a line the app logged at level error or fatal, or
 * undefined. The request log writes every 5xx at level error; a 503 while
 * the database is away is expected and left out.
 */
function unexpectedError(line: string): string | undefined {
  let entry: LogEntry;
  try {
    entry = JSON.parse(line) as LogEntry;
  } catch {
    return undefined;
  }
  if ((entry.level ?? 0) < 50 || entry.res?.status === 503) return undefined;
  if (entry.res?.status) return `${entry.req?.method} ${entry.req?.path} answered ${entry.res.status}`;
  return `${entry.msg ?? 'error'}: ${entry.err?.message ?? ''}`.slice(0, 300);
}

/**
 * The real app in a child process, supervised as in production: if it ever
 * exits on its own (a crash, an unhandled rejection) it is counted and
 * started again on the same port, so the run goes on and the count shows.
 */
export class SupervisedApp {
  restarts = 0;
  /** What the app logged at level error or fatal, 503 answers aside, with how often. */
  readonly errors = new Map<string, number>();
  private child: ChildProcess | undefined;
  private stopping = false;
  private supervising = false;

  private constructor(
    readonly base: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly say: Say,
  ) {}

  /** Starts the app; call ready() to wait until it answers. */
  static async start(databaseUrl: string, folder: string, say: Say): Promise<SupervisedApp> {
    const port = await freePort();
    const dataDir = path.join(folder, `app-data-${port}`);
    // No admin, and one process: cluster workers restarted by their primary would hide a crash.
    const env = productionAppEnvironment({
      databaseUrl,
      dataDir,
      port,
      sessionSecret: randomBytes(32).toString('base64url'),
      // Each commenter says who it is with X-Forwarded-For, as behind a proxy.
      // A short drain: the stop is measured too, and nothing in front needs telling.
      extra: { TRUST_PROXY: 'loopback', LOG_LEVEL: 'error', SHUTDOWN_DRAIN_SECONDS: '1' },
    });
    const app = new SupervisedApp(`http://127.0.0.1:${port}`, env, say);
    app.launch();
    return app;
  }

  /** Resolves once the app answers /readyz; from then on an exit counts as a restart. */
  async ready(): Promise<void> {
    await waitForOk(`${this.base}/readyz`, this.child!, 60_000);
    this.supervising = true;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * SIGTERM, as a supervisor stops it; resolves with how it ended. Forced
   * only well past the app's own 10 s deadline, so that the deadline is
   * what is measured.
   */
  async stop() {
    this.stopping = true;
    return this.child ? stopChild(this.child, 'SIGTERM', 20_000) : { code: null, signal: null };
  }

  /** After stop(): the app again, on the same port; resolves once it answers /readyz. */
  async restart(): Promise<void> {
    this.stopping = false;
    this.supervising = false;
    this.launch();
    await this.ready();
  }

  private launch() {
    const child = startTypeScript(path.join(projectRoot, 'src/server.ts'), [], { env: this.env, quiet: true });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const error = unexpectedError(line);
      if (error) this.errors.set(error, (this.errors.get(error) ?? 0) + 1);
    });
    child.once('exit', (code, signal) => {
      if (this.stopping || !this.supervising) return;
      this.restarts += 1;
      this.say(`the app (pid ${child.pid}) exited on its own (code ${code}, signal ${signal}): starting it again in 1 s`);
      // A pause, as supervisors make, so an app that cannot start does not spin.
      setTimeout(() => this.stopping || this.launch(), 1000);
    });
  }
}
