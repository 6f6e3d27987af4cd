/**
 * Where a Disqus thread's page is on this site: its `<link>` read against
 * BASE_URL, after `--map-domain old=new` for a site that moved. Pure: the
 * lookup of the article by that path is the caller's.
 */

export type ThreadAddress = { ok: true; path: string; postId: string | null } | { ok: false; reason: string };

/** `old.example.com`, `https://old.example.com/` → `old.example.com` (host and port, lower case). */
export function domainKey(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/\/.*$/, '');
}

function decodedPath(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return pathname;
  }
}

export function threadAddress(link: string, baseUrl: string, mapDomain: Readonly<Record<string, string>>): ThreadAddress {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return { ok: false, reason: `its link “${link}” is not a web address` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `its link “${link}” is not a web address` };
  const base = new URL(baseUrl);
  const mapping = new Map(Object.entries(mapDomain).map(([from, to]) => [domainKey(from), domainKey(to)]));
  const host = url.host.toLowerCase();
  const mapped = mapping.get(host) ?? mapping.get(url.hostname.toLowerCase()) ?? host;
  if (mapped !== base.host.toLowerCase() && mapped !== base.hostname.toLowerCase()) {
    return {
      ok: false,
      reason: `its link is on ${host}, not on this site (${base.host}): add --map-domain ${host}=${base.host} if the site moved`,
    };
  }
  const basePath = base.pathname.replace(/\/+$/, '');
  let path = decodedPath(url.pathname);
  if (basePath !== '') {
    if (path !== basePath && !path.startsWith(`${basePath}/`))
      return { ok: false, reason: `its link is outside this site's address ${baseUrl}` };
    path = path.slice(basePath.length) || '/';
  }
  const postId = url.searchParams.get('p') ?? url.searchParams.get('page_id');
  return { ok: true, path, postId: postId !== null && /^\d{1,19}$/.test(postId) ? postId : null };
}

/** `/2013/01/hello/` and `/2013/01/hello` are one page: the form article_legacy_paths keeps. */
export function legacyPathForm(path: string): string {
  return `/${path.replace(/^\/+|\/+$/g, '')}/`.replace(/^\/\/$/, '/');
}
