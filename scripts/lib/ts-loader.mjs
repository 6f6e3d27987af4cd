import { register } from 'node:module';

/**
 * `node --import ./scripts/lib/ts-loader.mjs` runs the project's TypeScript
 * as tsx does, for the test files' processes (scripts/test.ts): see ts-hooks.mjs.
 */
process.setSourceMapsEnabled(true);
register('./ts-hooks.mjs', import.meta.url);
