import type { Database } from '../platform/db/connection.js';
import type { Role } from '../admin-auth/index.js';

/** Invitations, stored by the SHA-256 of their token only. */

export interface InvitationRow {
  email: string;
  role: Role;
  invited_by: string | null;
  expires_at: Date;
  used_at: Date | null;
}

export async function insertInvitation(
  db: Database,
  invitation: { tokenHash: Buffer; email: string; role: Role; invitedBy: string; expiresAt: Date },
): Promise<void> {
  await db('invitations').insert({
    token_hash: invitation.tokenHash,
    email: invitation.email,
    role: invitation.role,
    invited_by: invitation.invitedBy,
    expires_at: invitation.expiresAt,
  });
}

export async function findInvitation(db: Database, tokenHash: Buffer): Promise<InvitationRow | null> {
  const row = await db('invitations')
    .where({ token_hash: tokenHash })
    .first<InvitationRow | undefined>('email', 'role', 'invited_by', 'expires_at', 'used_at');
  return row ?? null;
}

/** Uses the invitation up, in `trx`: of two requests with one link, only one gets it. Null: unknown, used or expired. */
export async function consumeInvitation(trx: Database, tokenHash: Buffer, now: Date): Promise<InvitationRow | null> {
  const [row] = await trx('invitations')
    .where({ token_hash: tokenHash })
    .whereNull('used_at')
    .where('expires_at', '>', now)
    .update({ used_at: now })
    .returning<InvitationRow[]>(['email', 'role', 'invited_by', 'expires_at', 'used_at']);
  return row ?? null;
}

export async function markInvitationAccepted(trx: Database, tokenHash: Buffer, userId: string): Promise<void> {
  await trx('invitations').where({ token_hash: tokenHash }).update({ accepted_by: userId });
}
