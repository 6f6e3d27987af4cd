import { cloneTemplate } from './test-databases.js';

/**
 * Loaded by `npm test` (scripts/test.ts) into each test file's process before
 * the file itself: the file gets a database of its own, cloned from the run's
 * migrated template, and DATABASE_URL names it, so the file and every process
 * it starts work there alone while other files run beside it.
 */
const template = process.env.TEST_DATABASE_TEMPLATE;
const serverUrl = process.env.DATABASE_URL;
// Node's test runner marks the process of each file; the runner's own process needs no database.
const inTestFile = process.env.NODE_TEST_CONTEXT !== undefined;
if (template && serverUrl && inTestFile) {
  process.env.DATABASE_URL = await cloneTemplate(serverUrl, template);
  delete process.env.TEST_DATABASE_TEMPLATE;
}
