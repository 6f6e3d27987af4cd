import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, stopChild, waitForOk } from '../helpers/processes.js';
import { projectRoot } from '../../src/platform/paths.js';
import { createAdmin } from '../../src/admin-auth/admins.js';
import { ADMIN_PASSWORD, csrfOf } from '../helpers/admin.js';
import { loginFormCookieOf, sessionCookieOf, startAppInstance, stopAppInstance, type AppInstance } from '../helpers/app-instance.js';
import { DEMO_PATH, TEST_USER_AGENT, typed } from '../helpers/commenting.js';
import { useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage } from '../helpers/html.js';

/**
 * The compose `scale` profile's nginx config (deploy/nginx.conf) in front of
 * two real instances over the one test database. Debian's nginx predates
 * `resolve` in an upstream, and there is no Docker DNS here: those lines
 * become the two instances' addresses; everything else is the file as
 * shipped.
 */

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((file) => existsSync(file));
const NO_NGINX = 'nginx is not installed (apt-get install -y nginx-light)';
const database = useTestDatabase();
const startInstance = () =>
  startAppInstance({
    TRUST_PROXY: '1',
    // Not the address the requests use: a post is accepted only because nginx passes the Host it was sent.
    BASE_URL: 'http://blog.example.org',
  });

/** deploy/nginx.conf with the two instances as its upstream servers, listening on `port`. */
async function siteConfig(port: number, instances: AppInstance[]): Promise<string> {
  const shipped = await readFile(path.join(projectRoot, 'deploy/nginx.conf'), 'utf8');
  const replace = (text: string, pattern: RegExp, by: string) => {
    assert.match(text, pattern, `deploy/nginx.conf no longer has ${pattern}`);
    return text.replace(pattern, by);
  };
  let site = replace(shipped, /^resolver .*$/m, '');
  site = replace(site, /^resolver_timeout .*$/m, '');
  site = replace(
    site,
    /^\s*server app:3000 resolve max_fails=0;$/m,
    instances.map((one) => `    server 127.0.0.1:${one.port} max_fails=0;`).join('\n'),
  );
  return replace(site, /^\s*listen 80;$/m, `    listen 127.0.0.1:${port};`);
}

interface Nginx {
  base: string;
  child: ChildProcess;
  folder: string;
  /** `upstream status method path` per request answered so far. */
  log: () => Promise<string[]>;
}

async function startNginx(instances: AppInstance[]): Promise<Nginx> {
  const port = await freePort();
  const folder = await mkdtemp(path.join(tmpdir(), 'broadsheet-nginx-'));
  const file = (name: string) => path.join(folder, name);
  await writeFile(file('site.conf'), await siteConfig(port, instances));
  // One process as this user (no master, no workers as `nobody`), everything under `folder`.
  await writeFile(
    file('nginx.conf'),
    `daemon off;
master_process off;
pid ${file('nginx.pid')};
error_log ${file('error.log')} warn;
events { worker_connections 256; }
http {
  log_format upstream '$upstream_addr $status $request_method $uri';
  access_log ${file('access.log')} upstream;
  client_body_temp_path ${file('body')};
  proxy_temp_path ${file('proxy')};
  fastcgi_temp_path ${file('fastcgi')};
  uwsgi_temp_path ${file('uwsgi')};
  scgi_temp_path ${file('scgi')};
  include ${file('site.conf')};
}
`,
  );
  const child = spawn(NGINX!, ['-e', file('error.log'), '-p', folder, '-c', file('nginx.conf')], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  const errors = () => readFile(file('error.log'), 'utf8').catch(() => '');
  await waitForOk(`${base}/healthz`, child, 10_000).catch(async (error: Error) => assert.fail(`${error.message}\n${await errors()}`));
  const log = async () => (await readFile(file('access.log'), 'utf8')).split('\n').filter(Boolean);
  return { base, child, folder, log };
}

function postForm(base: string, pathname: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${base}${pathname}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base, 'User-Agent': TEST_USER_AGENT, ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('nginx in front of two instances (the scale profile)', { skip: NGINX ? false : NO_NGINX }, () => {
  const instances: AppInstance[] = [];
  let nginx: Nginx | undefined;
  const upstreamsFor = async (method: string, uri: string, status: number) =>
    new Set(
      (await nginx!.log())
        .map((line) => line.split(' '))
        .filter(([, code, verb, target]) => code === String(status) && verb === method && target === uri)
        .map(([upstream]) => upstream),
    );

  before(async () => {
    instances.push(...(await Promise.all([startInstance(), startInstance()])));
    nginx = await startNginx(instances);
  });

  after(async () => {
    if (nginx) {
      await stopChild(nginx.child);
      await rm(nginx.folder, { recursive: true, force: true });
    }
    for (const instance of instances) {
      await stopAppInstance(instance);
    }
  });

  it('keeps an admin who signed in through nginx signed in on both instances', async () => {
    await createAdmin(database.db, 'moderator', ADMIN_PASSWORD);
    const form = await fetch(`${nginx!.base}/admin/login`);
    const fields = { username: 'moderator', password: ADMIN_PASSWORD, _csrf: csrfOf(await form.text()) };
    const signedIn = await postForm(nginx!.base, '/admin/login', fields, { Cookie: loginFormCookieOf(form) });
    assert.equal(signedIn.status, 303, `sign-in through nginx answered ${signedIn.status}`);
    const cookie = sessionCookieOf(signedIn);
    for (let turn = 0; turn < 4; turn++) {
      const queue = await fetch(`${nginx!.base}/admin/comments`, { headers: { Cookie: cookie }, redirect: 'manual' });
      assert.equal(queue.status, 200, `turn ${turn}: ${queue.status} ${queue.headers.get('location') ?? ''}`);
    }
    const served = await upstreamsFor('GET', '/admin/comments', 200);
    assert.deepEqual(
      [...served].sort(),
      instances.map((one) => `127.0.0.1:${one.port}`).sort(),
      'both instances served the signed-in queue',
    );
  });

  it('stores the address nginx saw, not one the client claimed', async () => {
    const page = await fetch(`${nginx!.base}${DEMO_PATH}`, { headers: { 'User-Agent': TEST_USER_AGENT } });
    const fields = typed(formFields(parsePage(await page.text())), { comment: 'Posted through nginx with a forged address.' });
    const posted = await postForm(nginx!.base, `${DEMO_PATH}/comments`, fields, { 'X-Forwarded-For': '203.0.113.9' });
    assert.equal(posted.status, 303, `the post through nginx answered ${posted.status}`);
    const row = await database.db('comments').where({ body: 'Posted through nginx with a forged address.' }).first<{ ip: string }>('ip');
    assert.equal(row?.ip, '127.0.0.1');
  });

  it('answers every page from the other instance while one is stopped', async () => {
    await stopChild(instances[1]!.child);
    for (let turn = 0; turn < 6; turn++) {
      const response = await fetch(`${nginx!.base}/?turn=${turn}`);
      assert.equal(response.status, 200, `turn ${turn}`);
    }
  });
});
