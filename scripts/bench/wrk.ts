import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { RequestFigures } from './request-load.js';

/**
 * wrk (written in C; Debian's package `wrk`) as the load generator of the
 * workers row, where it is installed. On two cores autocannon needs most of
 * one core to load the article page, the very core a second worker would
 * use; wrk sends the same load on about a fifth of a core. Every other row
 * keeps autocannon.
 */

const execute = promisify(execFile);

export async function findWrk(): Promise<string | null> {
  try {
    const { stdout } = await execute('sh', ['-c', 'command -v wrk']);
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };
const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

const milliseconds = (value: string, unit: string) => Number(value) * (TIME_UNITS[unit] ?? Number.NaN);

/** The figures in wrk's report (run with --latency). */
export function parseWrkReport(url: string, report: string, seconds: number): RequestFigures {
  const percentile = (which: string) => {
    const found = new RegExp(`^\\s*${which}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(report);
    return found ? Math.round(milliseconds(found[1]!, found[2]!)) : Number.NaN;
  };
  const total = /(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB|TB) read/.exec(report);
  const responses = total ? Number(total[1]) : 0;
  const bytes = total ? Number(total[2]) * (SIZE_UNITS[total[3]!] ?? Number.NaN) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(report)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(report);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(report);
  return {
    url,
    requestsPerSecond: rate ? Number(rate[1]) : 0,
    latencyP50: percentile('50'),
    latencyP99: percentile('99'),
    bytesPerResponse: responses > 0 ? Math.round(bytes / responses) : 0,
    responses,
    non2xx,
    errors: socket ? Number(socket[1]) + Number(socket[2]) + Number(socket[3]) : 0,
    timeouts: socket ? Number(socket[4]) : 0,
    // wrk counts only what is not 2xx or 3xx; the article page answers 200.
    statusCodes: { '200': responses - non2xx, ...(non2xx > 0 ? { 'not 2xx/3xx': non2xx } : {}) },
    elapsedSeconds: seconds,
    postsBuilt: 0,
  };
}

/** One wrk run (one thread, like the one autocannon process); its pid is known at once, its figures at the end. */
export function startWrk(
  wrk: string,
  url: string,
  connections: number,
  seconds: number,
): { pid: number; figures: Promise<RequestFigures> } {
  const child = spawn(wrk, ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const figures = new Promise<RequestFigures>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(parseWrkReport(url, output, seconds)) : reject(new Error(`wrk exited with ${code}: ${output.trim()}`)),
    );
  });
  return { pid: child.pid!, figures };
}
