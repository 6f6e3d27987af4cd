import { ConfigError, loadConfig } from '../src/platform/config.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { openDatabase } from '../src/platform/db/open.js';
import { AdminAccountError, createAdmin } from '../src/admin-auth/admins.js';
import { resetPasswordFromCommandLine } from '../src/admin-auth/password-reset.js';
import { turnOffTwoFactorFromCommandLine } from '../src/admin-auth/two-factor-recovery.js';
import { runCommand } from './run-command.js';

/**
 * npm run admin -- create <username> [--display-name NAME]
 * npm run admin -- reset-password <username>
 * (the password from ADMIN_PASSWORD or standard input, for both)
 * npm run admin -- reset-two-factor <username> (for a lost authenticator).
 */
const usage = [
  'Usage: npm run admin -- create <username> [--display-name NAME]',
  '       npm run admin -- reset-password <username>',
  '(the password from ADMIN_PASSWORD or standard input)',
  '       npm run admin -- reset-two-factor <username>   (turns two-factor sign-in off, ending their sessions)',
].join('\n');

type Command =
  | { kind: 'create'; username: string; displayName: string | undefined }
  | { kind: 'reset-password'; username: string }
  | { kind: 'reset-two-factor'; username: string };

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

function parseCommand(args: string[]): Command | null {
  const [command, ...rest] = args;
  if (command === 'create') {
    const create = parseCreate(rest);
    return create && { kind: 'create', ...create };
  }
  const [username, ...extra] = rest;
  if ((command === 'reset-password' || command === 'reset-two-factor') && username && !username.startsWith('--') && extra.length === 0)
    return { kind: command, username };
  return null;
}

async function main(): Promise<number> {
  const command = parseCommand(process.argv.slice(2));
  if (!command) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  // ADMIN_USERNAME belongs to start-up: these commands act on the account they are given.
  const config = loadConfig({ ...process.env, ADMIN_USERNAME: undefined });
  const password = command.kind === 'reset-two-factor' ? '' : await readPassword(config.adminPassword);
  const database = await openDatabase(config, (message) => process.stderr.write(`${message}\n`));
  try {
    await migrateToLatest(database.db);
    if (command.kind === 'reset-two-factor') {
      const user = await turnOffTwoFactorFromCommandLine(database.db, command.username);
      process.stdout.write(`Turned two-factor sign-in off for "${user.username}" and signed out all their sessions.\n`);
      return 0;
    }
    if (command.kind === 'reset-password') {
      const user = await resetPasswordFromCommandLine(database.db, command.username, password);
      process.stdout.write(
        `Set a new password for "${user.username}" and signed out all their sessions. Sign in at ${config.baseUrl}/admin/login\n`,
      );
      return 0;
    }
    const user = await createAdmin(database.db, command.username, password, { displayName: command.displayName });
    process.stdout.write(
      `Created admin "${user.username}" (signs replies as "${user.display_name}"). Sign in at ${config.baseUrl}/admin/login\n`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

runCommand('The admin command failed', main, [AdminAccountError, ConfigError]);
