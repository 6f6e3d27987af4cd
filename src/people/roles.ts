import { ROLES, type Role } from '../admin-auth/index.js';

/**
 * Who may do what in the admin: the contract's roles table, in one place.
 * Routes ask `may`; the author's "own articles only" is a narrower grant
 * that the handlers enforce with an owner filter (`mayOnOwnOnly`).
 */

export { ROLES, type Role };

export type Permission =
  'comments' | 'blocks' | 'moderation-log' | 'articles' | 'media' | 'settings' | 'people' | 'import-export' | 'privacy' | 'account';

export const ROLE_LABELS: Record<Role, string> = {
  administrator: 'Administrator',
  editor: 'Editor',
  author: 'Author',
  moderator: 'Moderator',
};

const GRANTS: Record<Role, readonly Permission[]> = {
  administrator: ['comments', 'blocks', 'moderation-log', 'articles', 'media', 'settings', 'people', 'import-export', 'privacy', 'account'],
  editor: ['comments', 'blocks', 'moderation-log', 'articles', 'media', 'account'],
  author: ['comments', 'moderation-log', 'articles', 'media', 'account'],
  moderator: ['comments', 'blocks', 'moderation-log', 'account'],
};

/** Grants that reach only the account's own articles (and the comments on them). */
const OWN_ONLY: Record<Role, readonly Permission[]> = {
  administrator: [],
  editor: [],
  author: ['comments', 'moderation-log', 'articles'],
  moderator: [],
};

export function may(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** True when `may` holds only for the account's own articles. */
export function mayOnOwnOnly(role: Role, permission: Permission): boolean {
  return OWN_ONLY[role].includes(permission);
}

/** The roles that hold a permission, most powerful first: what a refusal names. */
export function rolesThatMay(permission: Permission): Role[] {
  return ROLES.filter((role) => may(role, permission));
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

const PERMISSIONS: readonly Permission[] = GRANTS.administrator;

/** Every permission the role holds: what the admin navigation offers it. */
export function permissionsOf(role: Role): Permission[] {
  return PERMISSIONS.filter((permission) => may(role, permission));
}
