/** What the rest of the app may use of admin-auth: everything else in this folder is its own. */
export { emailProblem } from './account-emails.js';
export { DEFAULT_DISPLAY_NAME, USERNAME_PATTERN, displayNameProblem } from './account-names.js';
export { requireAdmin, signedInAdmin, signedInAdminOf } from './admin-session.js';
export { ensureStartupAdmin } from './admins.js';
export { csrfToken, verifyCsrfFieldOrHeader } from './csrf.js';
export type { LoginThrottle } from './login-throttle.js';
export { hashPassword, passwordProblem } from './passwords.js';
export { safeNextPath } from './safe-redirect.js';
export { ROLES, findUserByUsername } from './user-queries.js';
export type { Role, UserRow } from './user-queries.js';
