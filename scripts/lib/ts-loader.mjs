import { register } from 'node:module';

/**
 * `node --import ./scripts/lib/ts-loader.mjs` runs the project's TypeScript
 * as tsx does, on less CPU: for the test files' processes (scripts/test.ts),
 * the programs the tests start, and `npm run import`. See ts-hooks.mjs.
 */
process.setSourceMapsEnabled(true);
register('./ts-hooks.mjs', import.meta.url);
