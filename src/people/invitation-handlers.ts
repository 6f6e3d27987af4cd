import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { renderPage } from '../platform/rendering/render.js';
import type { PageMeta } from '../platform/rendering/models.js';
import { enqueueMail } from '../mail/index.js';
import { setFlash } from '../moderation/index.js';
import { signedInAdmin } from '../admin-auth/index.js';
import { emailProblem } from '../admin-auth/index.js';
import { ROLES, type Role } from '../admin-auth/index.js';
import { recordAccountEvent } from './account-events.js';
import { ROLE_LABELS } from './roles.js';
import { accountProblems, insertCheckedAccount, type CreateFormState } from './people-create.js';
import { findTaken } from './people-queries.js';
import { consumeInvitation, findInvitation, insertInvitation, markInvitationAccepted, type InvitationRow } from './invitation-queries.js';
import { INVITATION_LIFETIME_MS, invitationHashOf, newInvitationToken } from './invitation-tokens.js';
import { PEOPLE_PATH, renderPeople } from './people-handlers.js';

/** Invitations: an Administrator mails a single-use link (48 h); the invitee chooses a username and password. */

export interface InviteFormState {
  values: { email: string; role: string };
  errors: Partial<Record<'email' | 'role', string>>;
}

export interface InvitationPageModel {
  meta: PageMeta;
  /** Null when the link cannot be used: `problem` says why. */
  invitation: { email: string; roleLabel: string; action: string } | null;
  problem: string | null;
  values: { username: string; display_name: string };
  errors: CreateFormState['errors'];
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'people/admin/invitation': InvitationPageModel;
  }
}

const text = z.string().max(2048).optional();
const inviteForm = z.strictObject({ _csrf: text, email: text, role: text });
const acceptForm = z.strictObject({ username: text, display_name: text, password: text });

/** POST /admin/people/invite — queues the invitation mail; 422 with the form as typed when the address or role cannot be used. */
export async function invitePerson(req: Request, res: Response) {
  const { db, config, cookieSecret, now } = contextOf(req);
  const parsed = inviteForm.safeParse(req.body ?? {});
  const values = { email: parsed.success ? (parsed.data.email ?? '').trim() : '', role: parsed.success ? (parsed.data.role ?? '') : '' };
  const errors: InviteFormState['errors'] = {};
  const addressProblem = emailProblem(values.email);
  if (addressProblem) errors.email = addressProblem;
  else if ((await findTaken(db, '', values.email)).email) errors.email = 'An account already uses that e-mail address.';
  if (!(ROLES as readonly string[]).includes(values.role)) errors.role = 'Choose a role from the list.';
  if (Object.keys(errors).length > 0) return renderPeople(req, res, 422, { invite: { values, errors } });
  const role = values.role as Role;
  const admin = signedInAdmin(res);
  const { token, hash } = newInvitationToken(cookieSecret);
  const expiresAt = new Date(now() + INVITATION_LIFETIME_MS);
  await db.transaction(async (trx) => {
    await insertInvitation(trx, { tokenHash: hash, email: values.email, role, invitedBy: admin.id, expiresAt });
    await enqueueMail(trx, {
      dedupe_key: `invitation:${hash.toString('hex')}`,
      kind: 'invitation',
      recipient: values.email,
      subject: `${admin.displayName} invites you to help run the site`,
      body: [
        `${admin.displayName} has invited you to join the site as ${ROLE_LABELS[role]}.`,
        '',
        'Choose your username and password here (the link works once, for 48 hours):',
        `${config.baseUrl}/admin/invitation/${encodeURIComponent(token)}`,
        '',
        'If you did not expect this, ignore this message: nothing happens until the link is used.',
      ].join('\n'),
    });
    await recordAccountEvent(trx, {
      kind: 'invited',
      actorId: admin.id,
      subjectId: null,
      ip: req.ip ?? null,
      detail: `${values.email} as ${role}`,
    });
  });
  setFlash(req, 'success', `Invitation sent to ${values.email}. The link works once, for 48 hours.`);
  res.redirect(303, PEOPLE_PATH);
}

const UNUSABLE = {
  forged: 'This invitation link is not valid. Check that the whole link was copied, or ask for a new invitation.',
  used: 'This invitation has already been used. Sign in with the account made from it, or ask for a new invitation.',
  expired: 'This invitation has expired (links work for 48 hours). Ask the person who invited you for a new one.',
};

/** The invitation a link opens, or why it opens none. */
async function usableInvitation(req: Request): Promise<{ hash: Buffer; invitation: InvitationRow } | { problem: string }> {
  const { db, cookieSecret, now } = contextOf(req);
  const hash = invitationHashOf(cookieSecret, req.params.token);
  const invitation = hash && (await findInvitation(db, hash));
  if (!hash || !invitation) return { problem: UNUSABLE.forged };
  if (invitation.used_at) return { problem: UNUSABLE.used };
  if (invitation.expires_at.getTime() <= now()) return { problem: UNUSABLE.expired };
  return { hash, invitation };
}

async function renderInvitation(res: Response, status: number, model: Omit<InvitationPageModel, 'meta'>) {
  await renderPage(res, status, 'people/admin/invitation', { meta: { title: 'Accept your invitation' }, ...model });
}

const blank = { values: { username: '', display_name: '' }, errors: {} };

function invitationModel(req: Request, invitation: InvitationRow) {
  return {
    email: invitation.email,
    roleLabel: ROLE_LABELS[invitation.role],
    action: `/admin/invitation/${encodeURIComponent(String(req.params.token))}`,
  };
}

/** GET /admin/invitation/:token — the form to choose a username and password; works without a session. */
export async function showInvitation(req: Request, res: Response) {
  const found = await usableInvitation(req);
  if ('problem' in found) return renderInvitation(res, 410, { invitation: null, problem: found.problem, ...blank });
  await renderInvitation(res, 200, { invitation: invitationModel(req, found.invitation), problem: null, ...blank });
}

/**
 * POST /admin/invitation/:token — makes the account and uses the link up.
 * No session token: the unguessable link itself is what only the invitee has.
 */
export async function acceptInvitation(req: Request, res: Response) {
  const found = await usableInvitation(req);
  if ('problem' in found) return renderInvitation(res, 410, { invitation: null, problem: found.problem, ...blank });
  const parsed = acceptForm.safeParse(req.body ?? {});
  if (!parsed.success) throw new HttpError(400, 'The form could not be read. Reload the page and try again.');
  const values = { username: (parsed.data.username ?? '').trim(), display_name: (parsed.data.display_name ?? '').trim() };
  const password = parsed.data.password ?? '';
  const { db, now } = contextOf(req);
  const fields = { username: values.username, displayName: values.display_name, email: found.invitation.email, password };
  const outcome = await db
    .transaction(async (trx) => {
      const errors = accountProblems(fields);
      if (Object.keys(errors).length > 0) return errors;
      const invitation = await consumeInvitation(trx, found.hash, new Date(now()));
      if (!invitation) return { form: UNUSABLE.used };
      const user = await insertCheckedAccount(trx, { ...fields, role: invitation.role }, errors);
      // A refused name rolls the transaction back, so the link still works.
      if (!('id' in user)) throw new RefusedAccount(user);
      await markInvitationAccepted(trx, found.hash, user.id);
      await recordAccountEvent(trx, {
        kind: 'invitation-accepted',
        actorId: user.id,
        subjectId: user.id,
        ip: req.ip ?? null,
        detail: invitation.role,
      });
      return user;
    })
    .catch((error: unknown) => {
      if (error instanceof RefusedAccount) return error.errors;
      throw error;
    });
  if (!('id' in outcome)) {
    return renderInvitation(res, 422, { invitation: invitationModel(req, found.invitation), problem: null, values, errors: outcome });
  }
  res.redirect(303, '/admin/login');
}

class RefusedAccount extends Error {
  constructor(readonly errors: CreateFormState['errors']) {
    super('account refused');
  }
}
