export const ADMIN_HOME = '/admin/comments';

/**
 * Where to go after sign-in: a path on this site only. `//evil`, `/\evil`,
 * absolute URLs and anything odd fall back to the moderation queue.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2000) return ADMIN_HOME;
  if (!next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return ADMIN_HOME;
  if (/[\u0000-\u001F\u007F]/.test(next)) return ADMIN_HOME;
  const base = 'http://broadsheet.invalid';
  const url = URL.canParse(next, base) ? new URL(next, base) : null;
  // Dot segments can normalise into `//host`, so the normalised path is checked too.
  if (!url || url.origin !== base || url.pathname.startsWith('//')) return ADMIN_HOME;
  if (url.pathname === '/admin/login' || url.pathname === '/admin/logout') return ADMIN_HOME;
  return url.pathname + url.search + url.hash;
}
