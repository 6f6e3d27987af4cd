import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/platform/config.js';
import { migrateToLatest } from '../src/platform/db/migrate.js';
import { openDatabase } from '../src/platform/db/open.js';
import type { Database } from '../src/platform/db/connection.js';
import { formatSummary, type ImportProgress, type ImportSummary } from '../src/moving/import-summary.js';
import { terminalProgress } from '../src/moving/terminal-progress.js';
import { ImportRefused, importWordpress } from '../src/moving/wordpress-import.js';
import { runCommand } from './run-command.js';

/**
 * npm run import -- wordpress FILE.xml [--dry-run] [--skip-pages] [--with-pingbacks] [--map-author old=new]…
 * npm run import -- disqus FILE.xml [--dry-run] [--map-domain old=new]…
 * Progress on standard error when it is a terminal; the summary on standard
 * output. Exit 0 when done (skipped items listed), 1 when the file is refused
 * or the import fails (one line saying why), 2 for a usage error.
 */
const usage = [
  'Usage: npm run import -- wordpress FILE.xml [--dry-run] [--skip-pages] [--with-pingbacks] [--map-author old=new]...',
  '       npm run import -- disqus FILE.xml [--dry-run] [--map-domain old=new]...',
].join('\n');

class UsageError extends Error {}

type Importer = (db: Database, file: string, values: Parsed, onProgress: (progress: ImportProgress) => void) => Promise<ImportSummary>;
type Parsed = ReturnType<typeof parseOptions>['values'];

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      'skip-pages': { type: 'boolean', default: false },
      'with-pingbacks': { type: 'boolean', default: false },
      'map-author': { type: 'string', multiple: true, default: [] },
      'map-domain': { type: 'string', multiple: true, default: [] },
    },
  });
}

/** `--map-author a=b --map-author c=d` → { a: 'b', c: 'd' }. */
function pairsOf(flag: string, values: string[]): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const value of values) {
    const match = /^([^=]+)=(.+)$/.exec(value);
    if (!match) throw new UsageError(`--${flag} takes old=new, not “${value}”`);
    pairs[match[1]!.trim()] = match[2]!.trim();
  }
  return pairs;
}

const importWordpressFile: Importer = (db, file, values, onProgress) => {
  if (values['map-domain'].length > 0) throw new UsageError('--map-domain is an option of the disqus import');
  const options = {
    dryRun: values['dry-run'],
    skipPages: values['skip-pages'],
    withPingbacks: values['with-pingbacks'],
    mapAuthor: pairsOf('map-author', values['map-author']),
  };
  return importWordpress(db, file, options, onProgress);
};

/** The Disqus importer is its own module; without it, `disqus` answers that it is not available. */
const DISQUS_MODULE = '../src/moving/disqus-import.js';
type DisqusModule = {
  importDisqus: (
    db: Database,
    file: string,
    options: { dryRun: boolean; mapDomain: Record<string, string> },
    onProgress?: (progress: ImportProgress) => void,
  ) => Promise<ImportSummary>;
};

const importDisqusFile: Importer = async (db, file, values, onProgress) => {
  if (values['skip-pages'] || values['with-pingbacks'] || values['map-author'].length > 0) {
    throw new UsageError('--skip-pages, --with-pingbacks and --map-author are options of the wordpress import');
  }
  const { importDisqus } = (await import(DISQUS_MODULE)) as DisqusModule;
  return importDisqus(db, file, { dryRun: values['dry-run'], mapDomain: pairsOf('map-domain', values['map-domain']) }, onProgress);
};

const disqusAvailable = () => ['ts', 'js'].some((ext) => existsSync(new URL(DISQUS_MODULE.replace(/\.js$/, `.${ext}`), import.meta.url)));

/** The kinds of file, each with its importer (null: not available in this build). */
const IMPORTERS: Record<string, () => Importer | null> = {
  wordpress: () => importWordpressFile,
  disqus: () => (disqusAvailable() ? importDisqusFile : null),
};

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  const [kind, file, ...extra] = parsed.positionals;
  const importer = kind === undefined ? undefined : IMPORTERS[kind]?.();
  if (kind === undefined || file === undefined || extra.length > 0 || importer === undefined) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  if (importer === null) {
    process.stderr.write(`The ${kind} import is not available in this version.\n`);
    return 2;
  }
  if (!existsSync(file)) throw new ImportRefused(`No such file: ${file}`);
  const database = await openDatabase(loadConfig(), (message) => process.stderr.write(`${message}\n`));
  const progress = terminalProgress(process.stderr);
  try {
    await migrateToLatest(database.db);
    const summary = await importer(database.db, file, parsed.values, (done) => progress.update(done));
    progress.finish();
    process.stdout.write(formatSummary(summary));
    return 0;
  } catch (error) {
    progress.finish();
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${usage}\n`);
    return 2;
  } finally {
    await database.close();
  }
}

runCommand('The import failed', main, [ImportRefused, ConfigError]);
