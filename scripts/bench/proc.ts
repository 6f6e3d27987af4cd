import { execFileSync } from 'node:child_process';
import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * What Linux's /proc says about the processes the bench started: memory,
 * CPU time, and which processes a process has started (cluster workers).
 * Read from the processes themselves, so a wrapper (npm, a shell) can never
 * be measured in their place.
 */

const read = (file: string) => readFile(file, 'utf8').catch(() => null);

export interface Memory {
  /** Resident set size now, in bytes. */
  rss: number;
  /** The highest resident set size the process has had, in bytes. */
  peak: number;
}

/** VmRSS and VmHWM from /proc/<pid>/status; null once the process is gone. */
export async function memoryOf(pid: number): Promise<Memory | null> {
  const status = await read(`/proc/${pid}/status`);
  if (status === null) return null;
  const kilobytes = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kilobytes('VmRSS'), peak: kilobytes('VmHWM') };
}

/**
 * V8 keeps the heap it grew under load until its memory reducer finds the
 * process quiet (src/platform/heap-settings.ts): the memory row reads the
 * RSS this long after the app stops using CPU.
 */
export const SETTLE_MS = 30_000;

export interface MemoryAfterLoad extends Memory {
  /** Resident set size once the process has been quiet for SETTLE_MS, in bytes. */
  settled: number;
}

/**
 * Memory of each process right after a load and again once it has been
 * quiet for `settleMs` (all of them waited for together): work the load left
 * behind, such as the mail outbox draining after the POST row, finishes
 * first. A process that is gone by then is left out.
 */
export async function memoryAfterLoad(pids: readonly number[], settleMs = SETTLE_MS): Promise<Map<number, MemoryAfterLoad>> {
  const right = await Promise.all(pids.map(memoryOf));
  await waitUntilIdle(pids, 180_000);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const later = await Promise.all(pids.map(memoryOf));
  const found = new Map<number, MemoryAfterLoad>();
  pids.forEach((pid, index) => {
    const [first, last] = [right[index], later[index]];
    if (first && last) found.set(pid, { rss: first.rss, peak: last.peak, settled: last.rss });
  });
  return found;
}

/** The fields after `comm` in /proc/<pid>/stat (the name may hold spaces and parentheses). */
async function statFields(pid: number): Promise<string[] | null> {
  const stat = await read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  return stat
    .slice(stat.lastIndexOf(')') + 2)
    .trim()
    .split(' ');
}

let ticksPerSecond: number | undefined;
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) the process has used so far; 0 once it is gone. */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const fields = await statFields(pid);
  // utime and stime are fields 14 and 15 of stat; `fields` starts at field 3.
  if (!fields) return 0;
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond();
}

/** CPU seconds the whole machine has spent busy (everything but idle and I/O wait), over all cores. */
export async function machineBusySeconds(): Promise<number> {
  const stat = (await read('/proc/stat')) ?? '';
  const line = stat.split('\n').find((entry) => entry.startsWith('cpu '));
  if (!line) return 0;
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / clockTicksPerSecond();
}

/** Every process below `pid` (children, their children…), by scanning /proc. */
export async function descendantsOf(pid: number): Promise<number[]> {
  const entries = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const parents = new Map<number, number>();
  await Promise.all(
    entries.map(async (name) => {
      const fields = await statFields(Number(name));
      if (fields) parents.set(Number(name), Number(fields[1]));
    }),
  );
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = [...parents].filter(([, parent]) => frontier.includes(parent)).map(([child]) => child);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/** The program a process runs (its executable's path; a renamed process.title does not change it), or null. */
export async function executableOf(pid: number): Promise<string | null> {
  return readlink(`/proc/${pid}/exe`).catch(() => null);
}

export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Waits until `pids` together use under a tenth of a core (or `maxMs` has
 * passed): a server keeps working through requests queued by the previous
 * target after the load generator has hung up, and that work would be
 * counted against the next target.
 */
export async function waitUntilIdle(pids: readonly number[], maxMs = 30_000): Promise<void> {
  const windowMs = 250;
  const used = async () => (await Promise.all(pids.map(cpuSecondsOf))).reduce((sum, seconds) => sum + seconds, 0);
  for (const deadline = Date.now() + maxMs; Date.now() < deadline;) {
    const before = await used();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    if ((await used()) - before < 0.1 * (windowMs / 1000)) return;
  }
}
