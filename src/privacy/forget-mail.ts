import { readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { deleteMailAbout } from './mail-queries.js';
import { mailFileName } from '../mail/index.js';

/**
 * Mail about a comment or to an address, forgotten. Rows go inside the
 * caller's transaction; the files the outbox wrote for them go after it
 * commits, so a rolled-back deletion never loses mail that is still wanted.
 */

/** Removes every outbox row about these comments or to/about these addresses, pending and sent,
 *  inside the caller's transaction; returns the outbox ids removed so their files can go after commit. */
export async function forgetMailRows(trx: Knex.Transaction, about: { commentIds?: string[]; emails?: string[] }): Promise<string[]> {
  return deleteMailAbout(trx, about.commentIds ?? [], about.emails ?? []);
}

/** The outbox names its files after the mail's id, padded: `00000042.eml` (and `.eml.tmp` while writing). */
const MAIL_FILE = /^(\d+)\.eml(\.tmp)?$/;

export function outboxIdOfFile(name: string): string | null {
  const match = MAIL_FILE.exec(name);
  return match ? String(BigInt(match[1]!)) : null;
}

async function unlinkIfThere(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Deletes DATA_DIR/outbox/ files of those outbox ids (after the transaction commits); missing files are fine. */
export async function removeMailFiles(outboxDir: string, outboxIds: string[]): Promise<void> {
  for (const id of outboxIds) {
    const file = path.join(outboxDir, mailFileName(id));
    await unlinkIfThere(file);
    await unlinkIfThere(`${file}.tmp`);
  }
}

/** The outbox ids that have a file in the folder (none when it does not exist, as with SMTP). */
export async function outboxIdsWithFiles(outboxDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(outboxDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const ids = names.map(outboxIdOfFile).filter((id): id is string => id !== null);
  return [...new Set(ids)];
}

/** Where the outbox writes mail files when there is no SMTP server: DATA_DIR/outbox/. */
export function outboxDirOf(dataDir: string): string {
  return path.join(dataDir, 'outbox');
}

/**
 * `removeMailFiles` for a request whose deletion has committed: a file that
 * cannot be removed now (a permission changed under us) must not turn a
 * done deletion into an error page; the clean-up job's sweep removes every
 * file whose mail is gone, and logs what it cannot remove.
 */
export async function removeMailFilesAfterCommit(outboxDir: string, outboxIds: string[]): Promise<void> {
  try {
    await removeMailFiles(outboxDir, outboxIds);
  } catch {
    // Left to the sweep (see above).
  }
}
