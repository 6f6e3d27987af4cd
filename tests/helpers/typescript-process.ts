import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../../src/platform/paths.js';

/**
 * How the tests run the project's TypeScript in a process of its own: with
 * scripts/lib/ts-loader.mjs, the loader the test files' processes use. It
 * starts on less CPU than `tsx`, and `npx tsx` adds npm and tsx's command
 * line in front; the tests start dozens of these programs. A program that
 * forks passes the loader on in its `execArgv`, as it would tsx's.
 */
const TYPESCRIPT_LOADER = pathToFileURL(path.join(projectRoot, 'scripts/lib/ts-loader.mjs')).href;

/** Node's flags that load the project's TypeScript, to put before a script, `-e` or anything else. */
export const LOAD_TYPESCRIPT: readonly string[] = ['--import', TYPESCRIPT_LOADER];

/**
 * The arguments of `process.execPath` that run the project file `file`
 * (relative to the project root, or absolute) with `args`:
 * `spawn(process.execPath, typescriptProgram('tools/admin.ts', 'create', 'editor'))`.
 */
export function typescriptProgram(file: string, ...args: string[]): string[] {
  return [...LOAD_TYPESCRIPT, path.resolve(projectRoot, file), ...args];
}
