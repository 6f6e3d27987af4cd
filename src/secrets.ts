import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface GeneratedSecrets {
  sessionSecret: string;
  embeddedDatabasePassword: string;
}

/**
 * Secrets the operator did not provide are generated once and kept in
 * DATA_DIR, so cookies and the embedded database survive restarts.
 */
export async function loadOrCreateSecrets(dataDir: string): Promise<GeneratedSecrets> {
  const file = path.join(dataDir, 'secrets.json');
  const existing: Partial<GeneratedSecrets> = await readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as Partial<GeneratedSecrets>,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return {} as Partial<GeneratedSecrets>;
      throw error;
    },
  );
  const secrets: GeneratedSecrets = {
    sessionSecret: existing.sessionSecret ?? randomBytes(32).toString('base64url'),
    embeddedDatabasePassword:
      existing.embeddedDatabasePassword ?? randomBytes(24).toString('base64url'),
  };
  if (
    secrets.sessionSecret !== existing.sessionSecret ||
    secrets.embeddedDatabasePassword !== existing.embeddedDatabasePassword
  ) {
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  }
  return secrets;
}
