import { cpuSecondsOf, machineBusySeconds } from './proc.js';

/**
 * Where the machine's CPU went while a row ran, in cores: the app's node
 * processes, the load generator, and everything else (PostgreSQL above
 * all). On a machine whose cores are all busy, this says which of them set
 * the pace.
 */

export interface CpuUse {
  app: number;
  loader: number;
  rest: number;
}

interface Reading {
  app: number;
  loader: number;
  machine: number;
  at: number;
}

async function read(appPids: readonly number[], loaderPid: number): Promise<Reading> {
  const [app, loader, machine] = await Promise.all([
    Promise.all(appPids.map(cpuSecondsOf)).then((seconds) => seconds.reduce((sum, each) => sum + each, 0)),
    cpuSecondsOf(loaderPid),
    machineBusySeconds(),
  ]);
  return { app, loader, machine, at: performance.now() };
}

/** Starts counting; the function returned stops and says how many cores each used meanwhile. */
export async function startCountingCpu(appPids: readonly number[], loaderPid: number): Promise<() => Promise<CpuUse>> {
  const before = await read(appPids, loaderPid);
  return async () => {
    const after = await read(appPids, loaderPid);
    const seconds = (after.at - before.at) / 1000;
    const app = after.app - before.app;
    const loader = after.loader - before.loader;
    return { app: app / seconds, loader: loader / seconds, rest: Math.max(0, (after.machine - before.machine - app - loader) / seconds) };
  };
}

const cores = (n: number) => `${n.toFixed(2)} cores`;

export const describeCpuUse = (name: string, use: CpuUse) =>
  `${name}: app ${cores(use.app)}, load generator ${cores(use.loader)}, everything else (PostgreSQL, other work) ${cores(use.rest)}`;
