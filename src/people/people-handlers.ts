import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { ID_PATTERN } from '../platform/http/route-patterns.js';
import { renderPage } from '../platform/rendering/render.js';
import type { PageMeta } from '../platform/rendering/models.js';
import type { FlashModel } from '../moderation/index.js';
import { loadAdminChrome, setFlash, takeFlash } from '../moderation/index.js';
import { signedInAdmin } from '../admin-auth/index.js';
import { ROLES } from '../admin-auth/index.js';
import { recordAccountEvent } from './account-events.js';
import { ROLE_LABELS } from './roles.js';
import { eventsOfChange, lastAdministratorProblem } from './people-rules.js';
import {
  deleteAllSessionsOf,
  deletePersonTransferring,
  listPeople,
  updateRoleAndStatus,
  withAdministratorsLocked,
  type PersonRow,
} from './people-queries.js';
import { createPerson, type CreateFormState } from './people-create.js';
import type { InviteFormState } from './invitation-handlers.js';

/** The people page: every account, its role and status; changing, disabling and deleting them (Administrators). */

export const PEOPLE_PATH = '/admin/people';

export interface PeoplePageModel {
  meta: PageMeta;
  people: Array<PersonRow & { roleLabel: string; isSelf: boolean }>;
  roles: Array<{ value: string; label: string }>;
  flash: FlashModel | null;
  create: CreateFormState;
  invite: InviteFormState;
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'people/admin/people': PeoplePageModel;
  }
}

const EMPTY_CREATE: CreateFormState = { values: { username: '', display_name: '', email: '', role: 'author' }, errors: {} };
const EMPTY_INVITE: InviteFormState = { values: { email: '', role: 'author' }, errors: {} };

/** Renders the page (after the chrome); a refused form passes its own state. */
export async function renderPeople(
  req: Request,
  res: Response,
  status: number,
  state: { flash?: FlashModel | null; create?: CreateFormState; invite?: InviteFormState } = {},
) {
  if (res.locals.pendingCount === undefined) await loadAdminChrome(req, res);
  const selfId = signedInAdmin(res).id;
  const people = await listPeople(contextOf(req).db);
  await renderPage(res, status, 'people/admin/people', {
    meta: { title: 'People' },
    people: people.map((person) => ({ ...person, roleLabel: ROLE_LABELS[person.role], isSelf: person.id === selfId })),
    roles: ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] })),
    flash: state.flash ?? null,
    create: state.create ?? EMPTY_CREATE,
    invite: state.invite ?? EMPTY_INVITE,
  });
}

const refusal = (message: string): FlashModel => ({ tone: 'error', message, undoToken: null });

/** GET /admin/people — the list, the invitation form and the "create with a password" form. */
export async function showPeople(req: Request, res: Response) {
  await renderPeople(req, res, 200, { flash: takeFlash(req) });
}

function personIdOf(req: Request): string {
  const id = String(req.params.id);
  if (!ID_PATTERN.test(id)) throw new HttpError(404, 'There is no such account.');
  return id;
}

const csrf = { _csrf: z.string().max(1000) };
const updateForm = z.strictObject({ ...csrf, role: z.enum(ROLES), status: z.enum(['active', 'disabled']) });
const deleteForm = z.strictObject({ ...csrf, transfer_to: z.string().regex(ID_PATTERN) });

function parsed<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new HttpError(400, 'The form could not be read. Reload the page and try again.');
  return result.data;
}

/** POST /admin/people/:id — a new role and status; disabling ends every session of theirs at once. */
export async function updatePerson(req: Request, res: Response) {
  const id = personIdOf(req);
  const form = parsed(updateForm, req.body);
  const { db } = contextOf(req);
  const actorId = signedInAdmin(res).id;
  const outcome = await withAdministratorsLocked(db, id, async (trx, subject, others) => {
    if (!subject) return { missing: true as const };
    const change = { kind: 'update' as const, role: form.role, status: form.status };
    const problem = lastAdministratorProblem(subject, change, others);
    if (problem) return { problem };
    await updateRoleAndStatus(trx, id, form.role, form.status);
    if (form.status === 'disabled') await deleteAllSessionsOf(trx, id);
    for (const event of eventsOfChange(subject, form)) {
      await recordAccountEvent(trx, { ...event, actorId, subjectId: id, ip: req.ip ?? null });
    }
    return { username: subject.username };
  });
  if ('missing' in outcome) throw new HttpError(404, 'That account no longer exists.');
  if ('problem' in outcome) return renderPeople(req, res, 409, { flash: refusal(outcome.problem!) });
  const disabled = form.status === 'disabled' ? ' Disabled: every session of theirs has ended.' : '';
  setFlash(req, 'success', `Saved ${outcome.username}: ${ROLE_LABELS[form.role]}.${disabled}`);
  res.redirect(303, PEOPLE_PATH);
}

/** POST /admin/people/:id/delete — their articles pass to `transfer_to`, then the account goes. */
export async function deletePerson(req: Request, res: Response) {
  const id = personIdOf(req);
  const form = parsed(deleteForm, req.body);
  if (form.transfer_to === id) return renderPeople(req, res, 422, { flash: refusal('Choose someone else to receive their articles.') });
  const { db } = contextOf(req);
  const actorId = signedInAdmin(res).id;
  const outcome = await withAdministratorsLocked(db, id, async (trx, subject, others) => {
    if (!subject) return { missing: true as const };
    const problem = lastAdministratorProblem(subject, { kind: 'delete' }, others);
    if (problem) return { problem };
    const heir = await trx('users')
      .where({ id: form.transfer_to })
      .forUpdate()
      .first<{ id: string; display_name: string } | undefined>('id', 'display_name');
    if (!heir) return { problem: 'The person chosen to receive the articles no longer exists. Nothing was changed.' };
    await recordAccountEvent(trx, { kind: 'deleted', actorId, subjectId: id, ip: req.ip ?? null, detail: subject.username });
    const moved = await deletePersonTransferring(trx, id, { id: String(heir.id), displayName: heir.display_name });
    return { username: subject.username, heir: heir.display_name, moved };
  });
  if ('missing' in outcome) throw new HttpError(404, 'That account no longer exists.');
  if ('problem' in outcome) return renderPeople(req, res, 409, { flash: refusal(outcome.problem!) });
  setFlash(
    req,
    'success',
    `Deleted ${outcome.username}. ${outcome.moved} article${outcome.moved === 1 ? '' : 's'} passed to ${outcome.heir}.`,
  );
  res.redirect(303, PEOPLE_PATH);
}

/** POST /admin/people — an account made with a password, for a site without mail; 422 with every field as typed. */
export async function createPersonWithPassword(req: Request, res: Response) {
  const result = await createPerson(contextOf(req).db, req.body);
  if (!result.ok) return renderPeople(req, res, 422, { create: { values: result.values, errors: result.errors } });
  await recordAccountEvent(contextOf(req).db, {
    kind: 'created',
    actorId: signedInAdmin(res).id,
    subjectId: result.user.id,
    ip: req.ip ?? null,
    detail: result.user.role,
  });
  setFlash(req, 'success', `Created ${result.user.username} (${ROLE_LABELS[result.user.role]}). They can sign in now.`);
  res.redirect(303, PEOPLE_PATH);
}
