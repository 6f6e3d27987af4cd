import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { projectRoot } from '../../src/platform/paths.js';

/**
 * How the tests run one of the project's programs (the server, the tools)
 * in a process of its own, from whichever copy of the project the tests
 * themselves run from:
 *
 * - `npm test` runs them from a JavaScript copy of the project, made at the
 *   start of the run (scripts/lib/test-build.ts) into TEST_BUILD_FOLDER: a
 *   program then starts from the same copy, with nothing between Node and
 *   the code but its source maps.
 * - Run straight from the TypeScript (`npx tsx --test FILE`), a program gets
 *   the project's TypeScript loader, scripts/lib/ts-loader.mjs.
 *
 * A program that forks (cluster workers, the import's child) passes its
 * flags on in `execArgv` either way.
 */
export const TEST_BUILD_FOLDER = path.join(projectRoot, '.test-build');

const runningFromTestBuild = fileURLToPath(import.meta.url).startsWith(`${TEST_BUILD_FOLDER}${path.sep}`);

const TYPESCRIPT_LOADER = pathToFileURL(path.join(projectRoot, 'scripts/lib/ts-loader.mjs')).href;

/** The copy of the project file `file` (a path relative to the project root, or absolute) in the test build. */
export function builtCopyOf(file: string): string {
  return path.join(TEST_BUILD_FOLDER, path.relative(projectRoot, path.resolve(projectRoot, file)).replace(/\.ts$/, '.js'));
}

/** Node's flags for a process running the test build's JavaScript. */
export const BUILT_CODE_FLAGS: readonly string[] = ['--enable-source-maps'];

/** Node's flags for a process running the project's code as this one does: the built copy, or TypeScript through the loader. */
export const PROJECT_CODE_FLAGS: readonly string[] = runningFromTestBuild ? BUILT_CODE_FLAGS : ['--import', TYPESCRIPT_LOADER];

/** Where the project file `file` (relative to the project root, `.ts`) is run from by this process: itself, or its copy in the test build. */
export function projectFile(file: string): string {
  return runningFromTestBuild ? builtCopyOf(file) : path.resolve(projectRoot, file);
}

/**
 * The arguments of `process.execPath` that run the project file `file`
 * with `args`: `spawn(process.execPath, projectProgram('tools/admin.ts', 'create', 'editor'))`.
 */
export function projectProgram(file: string, ...args: string[]): string[] {
  return [...PROJECT_CODE_FLAGS, projectFile(file), ...args];
}
