import { execFile, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

/** PostgreSQL's command-line clients, which backups run: pg_dump and pg_restore. */

const run = promisify(execFile);

export type ClientToolName = 'pg_dump' | 'pg_restore';

export interface ClientTool {
  name: ClientToolName;
  /** What to run: the bare name (found on PATH) or a full path. */
  command: string;
  major: number;
  version: string;
}

/** A refusal or failure the operator can act on; scripts print its message as it is. */
export class BackupError extends Error {}

/** Debian and Ubuntu keep every installed client version here; PATH holds only the default one. */
const DEBIAN_CLIENTS = '/usr/lib/postgresql';

async function versionOf(name: ClientToolName, command: string): Promise<ClientTool | null> {
  try {
    const { stdout } = await run(command, ['--version'], { timeout: 10_000 });
    const match = /\(PostgreSQL\)\s+(\d+)(\.\d+)?/.exec(stdout);
    return match ? { name, command, major: Number(match[1]), version: `${match[1]}${match[2] ?? ''}` } : null;
  } catch {
    return null;
  }
}

async function debianCandidates(name: ClientToolName): Promise<string[]> {
  const versions = await readdir(DEBIAN_CLIENTS).catch(() => [] as string[]);
  return versions
    .filter((version) => /^\d+$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => `${DEBIAN_CLIENTS}/${version}/bin/${name}`);
}

const clientPackage = (major: number) =>
  `the PostgreSQL ${major} client tools (Debian or Ubuntu: apt-get install postgresql-client-${major}; ` +
  `elsewhere, the PostgreSQL ${major} "client" or "libpq" package)`;

/**
 * The tool on PATH when it is new enough, else the newest installed one that
 * is. A pg_dump older than the server refuses to dump it, and a pg_restore
 * older than the pg_dump that wrote an archive cannot read it.
 */
export async function findClientTool(name: ClientToolName, minimumMajor: number, why: string): Promise<ClientTool> {
  const found: ClientTool[] = [];
  for (const command of [name, ...(await debianCandidates(name))]) {
    const tool = await versionOf(name, command);
    if (tool && tool.major >= minimumMajor) return tool;
    if (tool) found.push(tool);
  }
  if (found.length === 0) {
    throw new BackupError(`${name} was not found on PATH. Install ${clientPackage(minimumMajor)}, then run this again.`);
  }
  const newest = found.sort((a, b) => b.major - a.major)[0]!;
  throw new BackupError(
    `${name} ${newest.version} is too old ${why} (it needs version ${minimumMajor} or newer). ` +
      `Install ${clientPackage(minimumMajor)}, then run this again.`,
  );
}

/** Output of a short run (a listing), or a BackupError with the tool's own last error line. */
export async function readToolOutput(tool: ClientTool, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(tool.command, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new BackupError(`${tool.name} failed: ${lastLine(stderr) || (error as Error).message}`);
  }
}

const lastLine = (text: string) => text.split('\n').filter(Boolean).at(-1) ?? '';

export interface LongRun {
  /** Each line the tool writes to stderr (its --verbose progress and its errors). */
  onLine(line: string): void;
  /** Every few seconds while it runs: a line saying how far it is. */
  onTick(elapsedSeconds: number): Promise<void> | void;
}

/**
 * Runs a long pg_dump or pg_restore, passing its progress on. Resolves when
 * it succeeds; rejects with its last error line when it does not.
 */
export function runLongTool(tool: ClientTool, args: string[], progress: LongRun): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool.command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const errors: string[] = [];
    const startedAt = Date.now();
    const tick = async () => progress.onTick(Math.round((Date.now() - startedAt) / 1000));
    // A progress line that cannot be made (the file just went) is skipped, never a crash.
    const ticker = setInterval(() => {
      tick().catch(() => {});
    }, 5000);
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (/\b(error|fatal):/i.test(line)) errors.push(line);
      progress.onLine(line);
    });
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(new BackupError(`${tool.name} could not be started: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new BackupError(`${tool.name} failed (${signal ?? `exit code ${code}`}): ${errors.at(-1) ?? 'no error was printed'}`));
    });
  });
}
