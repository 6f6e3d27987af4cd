import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from '../../src/platform/paths.js';
import { projectProgram } from './project-program.js';

export interface ServerProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The real server (src/server.ts) in a child process, as `npm start` runs it
 * (from the TypeScript, through the tests' loader),
 * with only the environment given here and NODE_ENV=test, listening on
 * 127.0.0.1.
 */
export function startServerProcess(env: Record<string, string | undefined>): ServerProcess {
  let printed = '';
  const child = spawn(process.execPath, projectProgram('src/server.ts'), {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, NODE_ENV: 'test', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => void (printed += chunk.toString('utf8'));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => printed, exit };
}
