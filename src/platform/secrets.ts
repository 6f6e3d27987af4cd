import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface GeneratedSecrets {
  sessionSecret: string;
  embeddedDatabasePassword: string;
}

async function readSecrets(file: string): Promise<Partial<GeneratedSecrets> | undefined> {
  return readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as Partial<GeneratedSecrets>,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    },
  );
}

/**
 * Secrets the operator did not provide are generated once and kept in
 * DATA_DIR, so cookies and the embedded database survive restarts.
 *
 * Several instances may share DATA_DIR and start at the same moment: the
 * file is written whole under another name and then linked into place, so
 * nobody reads it half-written and the first to arrive wins; the others
 * read what it wrote.
 */
export async function loadOrCreateSecrets(dataDir: string): Promise<GeneratedSecrets> {
  const file = path.join(dataDir, 'secrets.json');
  const existing = await readSecrets(file);
  const secrets: GeneratedSecrets = {
    sessionSecret: existing?.sessionSecret ?? randomBytes(32).toString('base64url'),
    embeddedDatabasePassword: existing?.embeddedDatabasePassword ?? randomBytes(24).toString('base64url'),
  };
  if (existing?.sessionSecret && existing.embeddedDatabasePassword) return secrets;

  await mkdir(dataDir, { recursive: true });
  const written = `${file}.${process.pid}.tmp`;
  await writeFile(written, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  try {
    // A file from an older version lacks a secret: completing it keeps what it has.
    if (existing) await rename(written, file);
    else await link(written, file);
    return secrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return loadOrCreateSecrets(dataDir);
  } finally {
    await rm(written, { force: true });
  }
}
