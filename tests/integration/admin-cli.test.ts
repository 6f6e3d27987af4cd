import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/platform/config.js';
import { countUsers, findUserByUsername } from '../../src/admin-auth/user-queries.js';
import { prepareDatabase } from '../../src/platform/startup.js';
import { createAdmin, ensureStartupAdmin } from '../../src/admin-auth/admins.js';
import { verifyPassword } from '../../src/admin-auth/passwords.js';
import { enableTwoFactor, findTwoFactor, savePendingSecret } from '../../src/admin-auth/two-factor-queries.js';
import { useTestDatabase } from '../helpers/database.js';
import { projectProgram } from '../helpers/project-program.js';
import { projectRoot } from '../../src/platform/paths.js';

const testDb = useTestDatabase();

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** tools/admin.ts …, as `npm run admin -- …` runs it (from the code the tests run from, rather than through tsx), against the test database. */
function runAdminCli(args: string[], options: { stdin?: string; adminPassword?: string } = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: process.env.DATABASE_URL, NODE_ENV: 'test' };
  delete env.ADMIN_PASSWORD;
  delete env.ADMIN_USERNAME;
  delete env.NODE_TEST_CONTEXT;
  if (options.adminPassword !== undefined) env.ADMIN_PASSWORD = options.adminPassword;
  const child = spawn(process.execPath, projectProgram('tools/admin.ts', ...args), {
    cwd: projectRoot,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function assertArgon2idAtOwaspMinimum(hash: string) {
  const [, algorithm, version, parameters = ''] = hash.split('$');
  assert.equal(algorithm, 'argon2id');
  assert.equal(version, 'v=19');
  assert.deepEqual(Object.fromEntries(parameters.split(',').map((pair) => pair.split('='))), { m: '19456', t: '2', p: '1' });
}

describe('npm run admin -- create <username>', () => {
  it('creates an admin with the password from standard input', async () => {
    const result = await runAdminCli(['create', 'editor'], { stdin: 'correct horse battery staple\n' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Created admin "editor" \(signs replies as "Site admin"\)\. Sign in at http:\/\/\S+\/admin\/login/);
    assert.ok(!result.stdout.includes('correct horse') && !result.stderr.includes('correct horse'), 'the password is never echoed');
    const user = await findUserByUsername(testDb.db, 'editor');
    assert.ok(user);
    assert.equal(user.username, 'editor');
    assert.equal(user.display_name, 'Site admin', 'without --display-name, replies are not signed with the sign-in name');
    assert.equal(user.role, 'administrator');
    assertArgon2idAtOwaspMinimum(user.password_hash);
    assert.equal(await verifyPassword(user.password_hash, 'correct horse battery staple'), true, 'the trailing newline is not part of it');
    assert.equal(await verifyPassword(user.password_hash, 'correct horse battery staple\n'), false);
  });

  it('takes the password from ADMIN_PASSWORD', async () => {
    const result = await runAdminCli(['create', 'owner'], { adminPassword: 'from the environment 42' });
    assert.equal(result.code, 0, result.stderr);
    const user = await findUserByUsername(testDb.db, 'owner');
    assert.ok(user);
    assertArgon2idAtOwaspMinimum(user.password_hash);
    assert.equal(await verifyPassword(user.password_hash, 'from the environment 42'), true);
  });

  it('refuses a name that exists, in any case, with a clear message', async () => {
    await createAdmin(testDb.db, 'editor', 'the first password');
    const before = await findUserByUsername(testDb.db, 'editor');
    for (const name of ['editor', 'Editor']) {
      const result = await runAdminCli(['create', name], { adminPassword: 'a second password' });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`An account named "${name}" already exists\\.`));
    }
    assert.equal(await countUsers(testDb.db), 1);
    assert.equal((await findUserByUsername(testDb.db, 'editor'))?.password_hash, before?.password_hash);
  });

  it('refuses a short or empty password with a clear message and stores nothing', async () => {
    const short = await runAdminCli(['create', 'editor'], { stdin: 'eleven char\n' });
    assert.equal(short.code, 1);
    assert.match(short.stderr, /The password must be at least 12 characters\./);
    const fromEnvironment = await runAdminCli(['create', 'editor'], { adminPassword: '1234567' });
    assert.equal(fromEnvironment.code, 1);
    assert.match(fromEnvironment.stderr, /ADMIN_PASSWORD: the password must be at least 12 characters\./);
    const empty = await runAdminCli(['create', 'editor'], { stdin: '' });
    assert.notEqual(empty.code, 0);
    assert.match(empty.stderr, /at least 12 characters/);
    assert.doesNotMatch(empty.stderr, /Password \(/, 'it never prompts');
    assert.equal(await countUsers(testDb.db), 0);
  });

  it('refuses a password from the common-password list, in any case', async () => {
    for (const password of ['qwerty123456', 'QWERTY123456']) {
      const result = await runAdminCli(['create', 'editor'], { stdin: `${password}\n` });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /on the list of commonly used passwords/);
      assert.ok(!result.stderr.includes(password), 'the password is never echoed');
    }
    assert.equal(await countUsers(testDb.db), 0);
  });

  it('sets the display name from --display-name', async () => {
    const spaced = await runAdminCli(['create', 'editor', '--display-name', 'Ada Lovelace'], { stdin: 'correct horse battery staple\n' });
    assert.equal(spaced.code, 0, spaced.stderr);
    assert.equal((await findUserByUsername(testDb.db, 'editor'))?.display_name, 'Ada Lovelace');
    const joined = await runAdminCli(['create', 'writer', '--display-name=The Editors'], { stdin: 'correct horse battery staple\n' });
    assert.equal(joined.code, 0, joined.stderr);
    assert.equal((await findUserByUsername(testDb.db, 'writer'))?.display_name, 'The Editors');
  });

  it('refuses an empty or unshowable display name, and a --display-name without a value', async () => {
    for (const name of ['', '   ', 'Ada\u202eecalevol']) {
      const result = await runAdminCli(['create', 'editor', '--display-name', name], { stdin: 'correct horse battery staple\n' });
      assert.equal(result.code, 1, JSON.stringify(name));
      assert.match(result.stderr, /Display name:/);
    }
    const missing = await runAdminCli(['create', 'editor', '--display-name'], { stdin: 'correct horse battery staple\n' });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Usage: npm run admin -- create <username> \[--display-name NAME\]/);
    assert.equal(await countUsers(testDb.db), 0);
  });

  it('refuses a username with spaces or symbols', async () => {
    const result = await runAdminCli(['create', 'bad name!'], { adminPassword: 'long enough password' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /A username is 1 to 60 letters, digits, dots, dashes or underscores\./);
    assert.equal(await countUsers(testDb.db), 0);
  });

  it('prints its usage and exits 2 when the command is incomplete', async () => {
    for (const args of [[], ['create'], ['delete', 'editor'], ['create', 'editor', 'extra'], ['create', 'editor', '--display-name']]) {
      const result = await runAdminCli(args, { adminPassword: 'long enough password' });
      assert.equal(result.code, 2, `for ${JSON.stringify(args)}`);
      assert.match(result.stderr, /Usage: npm run admin -- create <username>/);
    }
    assert.equal(await countUsers(testDb.db), 0);
  });
});

describe('npm run admin -- reset-password <username>', () => {
  const NEW_PASSWORD = 'a new password from a pipe';
  const sessionOf = (userId: string, sid: string) =>
    testDb.db('session').insert({ sid, sess: JSON.stringify({ cookie: {}, userId }), expire: new Date(Date.now() + 3_600_000) });

  it('sets the password from standard input, ends every session of the account and records it', async () => {
    const user = await createAdmin(testDb.db, 'editor', 'the first password');
    const other = await createAdmin(testDb.db, 'other', 'the other password');
    await sessionOf(user.id, 'phone');
    await sessionOf(user.id, 'laptop');
    await sessionOf(other.id, 'others');
    const result = await runAdminCli(['reset-password', 'Editor'], { stdin: `${NEW_PASSWORD}\n` });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Set a new password for "editor" and signed out all their sessions/);
    assert.ok(!result.stdout.includes(NEW_PASSWORD) && !result.stderr.includes(NEW_PASSWORD), 'the password is never echoed');
    const changed = await findUserByUsername(testDb.db, 'editor');
    assert.equal(await verifyPassword(changed!.password_hash, NEW_PASSWORD), true);
    assert.deepEqual(
      (await testDb.db('session').select('sid')).map((row) => row.sid),
      ['others'],
    );
    const event = await testDb.db('account_events').where({ kind: 'password-reset' }).first();
    assert.equal(String(event.subject_id), user.id);
    assert.equal(event.detail, 'from the command line');
  });

  it('takes the password from ADMIN_PASSWORD', async () => {
    await createAdmin(testDb.db, 'editor', 'the first password');
    const result = await runAdminCli(['reset-password', 'editor'], { adminPassword: NEW_PASSWORD });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await verifyPassword((await findUserByUsername(testDb.db, 'editor'))!.password_hash, NEW_PASSWORD), true);
  });

  it('refuses an unknown account or a weak password with a clear message, changing nothing', async () => {
    const user = await createAdmin(testDb.db, 'editor', 'the first password');
    await sessionOf(user.id, 'phone');
    const unknown = await runAdminCli(['reset-password', 'nobody'], { stdin: `${NEW_PASSWORD}\n` });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /There is no account named "nobody"\./);
    const weak = await runAdminCli(['reset-password', 'editor'], { stdin: 'qwerty123456\n' });
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /on the list of commonly used passwords/);
    const short = await runAdminCli(['reset-password', 'editor'], { stdin: 'short\n' });
    assert.equal(short.code, 1);
    assert.match(short.stderr, /at least 12 characters/);
    assert.equal((await findUserByUsername(testDb.db, 'editor'))!.password_hash, user.password_hash);
    assert.equal((await testDb.db('session')).length, 1);
    assert.equal((await testDb.db('account_events')).length, 0);
  });

  it('prints its usage without a username', async () => {
    for (const args of [['reset-password'], ['reset-password', 'editor', 'extra']]) {
      const result = await runAdminCli(args, { adminPassword: NEW_PASSWORD });
      assert.equal(result.code, 2, `for ${JSON.stringify(args)}`);
      assert.match(result.stderr, /npm run admin -- reset-password <username>/);
    }
  });
});

describe('npm run admin -- reset-two-factor <username>', () => {
  it('turns two-factor off for a locked-out account, ends its sessions and records it; refuses an unknown name', async () => {
    const user = await createAdmin(testDb.db, 'editor', 'the first password');
    await savePendingSecret(testDb.db, user.id, 'sealed-secret');
    assert.ok(await enableTwoFactor(testDb.db, user.id, 'sealed-secret', 1, ['hash-1', 'hash-2']));
    await testDb
      .db('session')
      .insert({ sid: 'phone', sess: JSON.stringify({ cookie: {}, userId: user.id }), expire: new Date(Date.now() + 3_600_000) });
    assert.ok(await findTwoFactor(testDb.db, user.id));

    const result = await runAdminCli(['reset-two-factor', 'editor'], {});
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Turned two-factor sign-in off for "editor" and signed out all their sessions/);
    assert.equal(await findTwoFactor(testDb.db, user.id), null);
    assert.equal((await testDb.db('two_factor_recovery_codes')).length, 0);
    assert.equal((await testDb.db('session')).length, 0);
    assert.equal((await testDb.db('account_events').where({ kind: 'two-factor-off' }).first()).detail, 'from the command line');

    const unknown = await runAdminCli(['reset-two-factor', 'nobody'], {});
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /There is no account named "nobody"\./);
  });
});

describe('the admin made at start', () => {
  it('creates the configured admin once', async () => {
    const configured = { username: 'owner', password: 'configured password 1' };
    assert.deepEqual(await ensureStartupAdmin(testDb.db, configured), { kind: 'configured', username: 'owner' });
    const user = await findUserByUsername(testDb.db, 'owner');
    assert.ok(user);
    assertArgon2idAtOwaspMinimum(user.password_hash);
    assert.equal(await verifyPassword(user.password_hash, 'configured password 1'), true);

    assert.deepEqual(await ensureStartupAdmin(testDb.db, configured), { kind: 'none' });
    assert.deepEqual(await ensureStartupAdmin(testDb.db, { ...configured, password: 'a changed password' }), { kind: 'none' });
    assert.equal(await countUsers(testDb.db), 1);
    assert.equal(
      (await findUserByUsername(testDb.db, 'owner'))?.password_hash,
      user.password_hash,
      'an existing password is never overwritten',
    );
  });

  it('creates the configured admin even when other admins exist', async () => {
    await createAdmin(testDb.db, 'editor', 'editor password');
    assert.deepEqual(await ensureStartupAdmin(testDb.db, { username: 'owner', password: 'configured password 1' }), {
      kind: 'configured',
      username: 'owner',
    });
    assert.equal(await countUsers(testDb.db), 2);
    assert.equal(await findUserByUsername(testDb.db, 'admin'), null);
  });

  it('creates `admin` with a random password when no user exists and none is configured', async () => {
    const made = await ensureStartupAdmin(testDb.db, {});
    assert.equal(made.kind, 'generated');
    assert.ok(made.kind === 'generated');
    assert.equal(made.username, 'admin');
    assert.ok(made.password.length >= 16, made.password);
    const user = await findUserByUsername(testDb.db, 'admin');
    assert.ok(user);
    assertArgon2idAtOwaspMinimum(user.password_hash);
    assert.equal(await verifyPassword(user.password_hash, made.password), true);

    assert.deepEqual(await ensureStartupAdmin(testDb.db, {}), { kind: 'none' });
    assert.equal(await countUsers(testDb.db), 1);
  });

  it('makes a different password each time', async () => {
    const first = await ensureStartupAdmin(testDb.db, {});
    await testDb.db('users').del();
    const second = await ensureStartupAdmin(testDb.db, {});
    assert.ok(first.kind === 'generated' && second.kind === 'generated');
    assert.notEqual(first.password, second.password);
  });

  it('creates no `admin` when any user exists', async () => {
    await createAdmin(testDb.db, 'editor', 'editor password');
    assert.deepEqual(await ensureStartupAdmin(testDb.db, {}), { kind: 'none' });
    assert.deepEqual(await ensureStartupAdmin(testDb.db, { username: undefined, password: undefined }), { kind: 'none' });
    assert.equal(await countUsers(testDb.db), 1);
    assert.equal(await findUserByUsername(testDb.db, 'admin'), null);
  });

  it('prints the generated password once, with where to change it', async () => {
    await testDb.db('users').del();
    const said: string[] = [];
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: process.env.DATABASE_URL });
    await prepareDatabase(process.env.DATABASE_URL!, config, (line) => said.push(line), new AbortController().signal);
    const password = /password: (\S+)/.exec(said.join('\n'))?.[1];
    assert.ok(password && password.length >= 16, said.join('\n'));
    assert.equal(said.filter((line) => line.includes(password)).length, 1, 'shown once');
    assert.match(said.join('\n'), /change it on http:\/\/\S+\/admin\/account/);
    assert.match(said.join('\n'), /npm run admin -- create/);
    const user = await findUserByUsername(testDb.db, 'admin');
    assert.equal(user?.display_name, 'Site admin');
    await prepareDatabase(process.env.DATABASE_URL!, config, (line) => said.push(line), new AbortController().signal);
    assert.equal(said.filter((line) => line.includes(password)).length, 1, 'not shown again at the next start');
  });
});
