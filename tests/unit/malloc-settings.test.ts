import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { MALLOC_SETTINGS } from '../../src/platform/malloc-settings.js';
import path from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';

/**
 * glibc reads its malloc settings only at process start, so they are written
 * where processes start: `npm start`, the Docker image, and the cluster
 * primary (src/platform/cluster.ts passes MALLOC_SETTINGS to each worker). The first
 * two cannot import the constant; this keeps them saying the same.
 */

const projectFile = (name: string) => readFile(path.join(projectRoot, name), 'utf8');

describe('malloc settings where the app starts', () => {
  const expected = Object.entries(MALLOC_SETTINGS).map(([name, value]) => `${name}=${value}`);

  it('are set by npm start', async () => {
    const start: string = JSON.parse(await projectFile('package.json')).scripts.start;
    for (const setting of expected) assert.ok(start.includes(`${setting} `), `${start} sets ${setting}`);
  });

  it('are set in the Docker image', async () => {
    const dockerfile = await projectFile('Dockerfile');
    for (const setting of expected) assert.match(dockerfile, new RegExp(`^\\s+${setting}\\b`, 'm'), `the runtime stage sets ${setting}`);
  });

  it('keep large blocks mapped apart: a threshold glibc accepts (at most 32 MiB), below argon2’s 19 MiB', () => {
    const threshold = Number(MALLOC_SETTINGS.MALLOC_MMAP_THRESHOLD_);
    assert.ok(Number.isInteger(threshold) && threshold > 0 && threshold <= 32 * 1024 * 1024);
    assert.ok(threshold < 19 * 1024 * 1024);
  });
});
