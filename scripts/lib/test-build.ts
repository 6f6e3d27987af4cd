import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { projectRoot } from '../../src/platform/paths.js';
import { TEST_BUILD_FOLDER } from '../../tests/helpers/project-program.js';

/** The project's TypeScript that tests import or start: everything but the browser's scripts. */
const FOLDERS = ['src', 'tools', 'migrations', 'scripts', 'tests'];

async function typescriptFilesIn(folder: string): Promise<string[]> {
  const names = await readdir(path.join(projectRoot, folder), { recursive: true });
  return names.filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts')).map((name) => path.join(folder, name));
}

/**
 * Writes a JavaScript copy of the project's TypeScript into
 * TEST_BUILD_FOLDER, file for file (types stripped, imports untouched, a
 * source map beside each), for `npm test` to run. Each of the run's few
 * hundred processes then loads plain JavaScript instead of passing every
 * import through a loader; esbuild makes the copy in about a second. Types
 * are checked by `npm run lint` and `npm run typecheck`, not here.
 */
export async function buildTestCopy(): Promise<void> {
  await rm(TEST_BUILD_FOLDER, { recursive: true, force: true });
  const files = (await Promise.all(FOLDERS.map(typescriptFilesIn))).flat();
  await build({
    absWorkingDir: projectRoot,
    entryPoints: files,
    outdir: TEST_BUILD_FOLDER,
    outbase: '.',
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
}
