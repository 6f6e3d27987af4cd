import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, stopChild, waitForOk } from './processes.js';
import { startServerProcess } from './server-process.js';

/**
 * A real app process on a port of its own over the test database, as one of
 * several instances behind a load balancer: they share only PostgreSQL and
 * the session secret.
 */

const SESSION_SECRET = 'one-session-secret-shared-by-every-instance';

export interface AppInstance {
  port: number;
  base: string;
  child: ChildProcess;
  output: () => string;
  dataDir: string;
}

export async function startAppInstance(env: Record<string, string>): Promise<AppInstance> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-instance-'));
  const { child, output } = startServerProcess({
    DATABASE_URL: process.env.DATABASE_URL,
    DATA_DIR: dataDir,
    PORT: String(port),
    SESSION_SECRET,
    ...env,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/readyz`, child, 90_000).catch((error: Error) => assert.fail(`${error.message}\n${output()}`));
  return { port, base, child, output, dataDir };
}

export async function stopAppInstance(instance: AppInstance): Promise<void> {
  await stopChild(instance.child);
  await rm(instance.dataDir, { recursive: true, force: true });
}

/** `name=value` of the cookie `name` that a response sets. */
function cookieOf(response: Response, name: string): string {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
  assert.ok(line, `no ${name} cookie in ${JSON.stringify(response.headers.getSetCookie())}`);
  return line.split(';')[0]!;
}

/** `name=value` of the admin session cookie a response sets. */
export function sessionCookieOf(response: Response): string {
  return cookieOf(response, 'broadsheet_admin');
}

/** `name=value` of the sign-in form's token cookie (the form stores no session). */
export function loginFormCookieOf(response: Response): string {
  return cookieOf(response, 'broadsheet_login');
}
