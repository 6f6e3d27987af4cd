import { ConfigError, loadConfig } from '../src/platform/config.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { openDatabase } from '../src/platform/db/open.js';
import { AdminAccountError, createAdmin } from '../src/admin-auth/admins.js';
import { runCommand } from './run-command.js';

/** npm run admin -- create <username> [--display-name NAME] (password from ADMIN_PASSWORD or stdin). */
const usage = 'Usage: npm run admin -- create <username> [--display-name NAME]   (password from ADMIN_PASSWORD or standard input)';

interface CreateCommand {
  username: string;
  displayName: string | undefined;
}

/** The arguments after `create`, or null when they do not make a command. */
function parseCreate(args: string[]): CreateCommand | null {
  const [username, ...options] = args;
  if (!username || username.startsWith('--')) return null;
  if (options.length === 0) return { username, displayName: undefined };
  const [flag, value, ...extra] = options;
  if (flag?.startsWith('--display-name=') && value === undefined) return { username, displayName: flag.slice('--display-name='.length) };
  if (flag === '--display-name' && value !== undefined && extra.length === 0) return { username, displayName: value };
  return null;
}

/**
 * Never prompts: the password comes from ADMIN_PASSWORD (read through the
 * config, which also checks it) or is piped in. A terminal on standard input
 * would mean typing it visibly, so that is refused.
 */
async function readPassword(fromEnvironment: string | undefined): Promise<string> {
  if (fromEnvironment !== undefined) return fromEnvironment;
  if (process.stdin.isTTY) {
    throw new AdminAccountError('No password given: set ADMIN_PASSWORD, or pipe the password in (for example from a password manager).');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const create = command === 'create' ? parseCreate(rest) : null;
  if (!create) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  // ADMIN_USERNAME belongs to start-up: this command creates the account it is given.
  const config = loadConfig({ ...process.env, ADMIN_USERNAME: undefined });
  const password = await readPassword(config.adminPassword);
  const database = await openDatabase(config, (message) => process.stderr.write(`${message}\n`));
  try {
    await migrateToLatest(database.db);
    const user = await createAdmin(database.db, create.username, password, { displayName: create.displayName });
    process.stdout.write(
      `Created admin "${user.username}" (signs replies as "${user.display_name}"). Sign in at ${config.baseUrl}/admin/login\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

runCommand('Could not create the admin', main, [AdminAccountError, ConfigError]);
