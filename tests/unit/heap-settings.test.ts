import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { HEAP_FLAGS, withHeapFlags } from '../../src/platform/heap-settings.js';
import path from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';

/**
 * V8 reads its heap settings only at process start, so they are given where
 * processes start: `npm start`, the Docker image, and the cluster primary
 * (src/platform/cluster.ts adds them to each worker's node flags). The first
 * two cannot import the constant; this keeps them saying the same.
 */

const projectFile = (name: string) => readFile(path.join(projectRoot, name), 'utf8');

describe('heap settings where the app starts', () => {
  it('are given by npm start', async () => {
    const start: string = JSON.parse(await projectFile('package.json')).scripts.start;
    assert.ok(start.includes(`node ${HEAP_FLAGS.join(' ')} dist/src/server.js`), start);
  });

  it('are given in the Docker image', async () => {
    const dockerfile = await projectFile('Dockerfile');
    const command = `CMD ${JSON.stringify(['node', ...HEAP_FLAGS, 'dist/src/server.js'])}`.replaceAll(',', ', ');
    assert.ok(dockerfile.includes(command), `the image runs ${command}`);
  });

  it('are added to the flags a worker inherits, unless the process was given its own', () => {
    assert.deepEqual(withHeapFlags(['--import', 'tsx']), [...HEAP_FLAGS, '--import', 'tsx']);
    assert.deepEqual(withHeapFlags([...HEAP_FLAGS]), [...HEAP_FLAGS]);
    const ownSemiSpace = withHeapFlags(['--max_semi_space_size=16']);
    assert.ok(ownSemiSpace.includes('--max_semi_space_size=16'));
    assert.ok(!ownSemiSpace.some((flag) => flag.startsWith('--max-semi-space-size')), ownSemiSpace.join(' '));
  });
});
