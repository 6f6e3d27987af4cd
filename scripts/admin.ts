import { loadConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { openDatabase } from '../src/db/open.js';
import { AdminAccountError, createAdmin } from '../src/services/admins.js';
import { runCommand } from './lib/run-command.js';

/** npm run admin -- create <username> (password from ADMIN_PASSWORD or stdin). */
const usage = 'Usage: npm run admin -- create <username>   (password from ADMIN_PASSWORD or standard input)';

async function readPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write('Password (input is shown; pipe it in to hide it): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function main(): Promise<number> {
  const [command, username, ...rest] = process.argv.slice(2);
  if (command !== 'create' || !username || rest.length > 0) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const password = await readPassword();
  const config = loadConfig({ ...process.env, ADMIN_USERNAME: undefined, ADMIN_PASSWORD: undefined });
  const database = await openDatabase(config, (message) => process.stderr.write(`${message}\n`));
  try {
    await migrateToLatest(database.db);
    const user = await createAdmin(database.db, username, password);
    process.stdout.write(`Created admin "${user.username}". Sign in at ${config.baseUrl}/admin/login\n`);
    return 0;
  } finally {
    await database.close();
  }
}

runCommand('Could not create the admin', main, [AdminAccountError]);
