import { z } from 'zod';
import type { Database } from '../platform/db/connection.js';
import { ROLES, type Role, type UserRow } from '../admin-auth/index.js';
import { DEFAULT_DISPLAY_NAME, displayNameProblem, USERNAME_PATTERN } from '../admin-auth/index.js';
import { emailProblem } from '../admin-auth/index.js';
import { hashPassword, passwordProblem } from '../admin-auth/index.js';
import { findTaken, insertPerson } from './people-queries.js';

/** Making an account from a form: the "create with a password" form and an accepted invitation check the same things. */

export type CreateField = 'username' | 'display_name' | 'email' | 'role' | 'password';

export interface CreateFormState {
  /** What was typed; the password is never sent back. */
  values: Record<Exclude<CreateField, 'password'>, string>;
  errors: Partial<Record<CreateField | 'form', string>>;
}

export type CreateResult =
  { ok: true; user: UserRow } | { ok: false; values: CreateFormState['values']; errors: CreateFormState['errors'] };

const text = z.string().max(2048).optional();
const createForm = z.strictObject({ _csrf: text, username: text, display_name: text, email: text, role: text, password: text });

/** Checks a new account's fields; the password by the site's one password rule. */
export function accountProblems(fields: {
  username: string;
  displayName: string;
  email: string;
  password: string;
}): CreateFormState['errors'] {
  const errors: CreateFormState['errors'] = {};
  if (!USERNAME_PATTERN.test(fields.username)) errors.username = 'A username is 1 to 60 letters, digits, dots, dashes or underscores.';
  const nameProblem = fields.displayName === '' ? null : displayNameProblem(fields.displayName);
  if (nameProblem) errors.display_name = nameProblem;
  const addressProblem = fields.email === '' ? null : emailProblem(fields.email);
  if (addressProblem) errors.email = addressProblem;
  const password = passwordProblem(fields.password);
  if (password) errors.password = password;
  return errors;
}

/** Inserts the account unless a field is wrong or its username or address is taken (checked again by the unique indexes). */
export async function insertCheckedAccount(
  db: Database,
  fields: { username: string; displayName: string; email: string; password: string; role: Role },
  errors: CreateFormState['errors'],
): Promise<UserRow | CreateFormState['errors']> {
  const taken = await findTaken(db, fields.username, errors.email ? null : fields.email || null);
  if (taken.username && !errors.username) errors.username = 'That username is taken. Choose another.';
  if (taken.email) errors.email = 'Another account already uses that e-mail address.';
  if (Object.keys(errors).length > 0) return errors;
  const user = await insertPerson(db, {
    username: fields.username,
    display_name: fields.displayName || DEFAULT_DISPLAY_NAME,
    email: fields.email || null,
    role: fields.role,
    password_hash: await hashPassword(fields.password),
  });
  return user ?? { username: 'That username or e-mail address was taken a moment ago. Choose another.' };
}

export async function createPerson(db: Database, body: unknown): Promise<CreateResult> {
  const parsed = createForm.safeParse(body ?? {});
  const data = parsed.success ? parsed.data : {};
  const values = {
    username: (data.username ?? '').trim(),
    display_name: (data.display_name ?? '').trim(),
    email: (data.email ?? '').trim(),
    role: data.role ?? '',
  };
  const errors = parsed.success
    ? accountProblems({ ...values, displayName: values.display_name, password: data.password ?? '' })
    : { form: 'The form could not be read. Reload the page and try again.' };
  const role = (ROLES as readonly string[]).includes(values.role) ? (values.role as Role) : null;
  if (!role) errors.role = 'Choose a role from the list.';
  const outcome = await insertCheckedAccount(
    db,
    { ...values, displayName: values.display_name, password: data.password ?? '', role: role ?? 'author' },
    errors,
  );
  return 'id' in outcome ? { ok: true, user: outcome } : { ok: false, values, errors: outcome };
}
