import { z } from 'zod';

/**
 * The import form's fields, parsed to what the importers take. Options that
 * belong to the other source are ignored (the form shows both groups).
 */

export const IMPORT_SOURCES = ['wordpress', 'disqus'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

export const SOURCE_LABELS: Record<ImportSource, string> = {
  wordpress: 'WordPress export (WXR)',
  disqus: 'Disqus comments export',
};

/** How a page after the upload names the file's kind: "old.xml, a WordPress export". */
export const SOURCE_NAMES: Record<ImportSource, string> = {
  wordpress: 'a WordPress export',
  disqus: 'a Disqus export',
};

export interface ImportFormValues {
  source: string;
  dry_run: boolean;
  skip_pages: boolean;
  with_pingbacks: boolean;
  map_author: string;
  map_domain: string;
}

export type ImportField = 'file' | 'source' | 'map_author' | 'map_domain';
export type ImportFieldErrors = Partial<Record<ImportField, string>>;

export type ImportRequest =
  | {
      source: 'wordpress';
      options: { dryRun: boolean; skipPages: boolean; withPingbacks: boolean; mapAuthor: Record<string, string> };
    }
  | { source: 'disqus'; options: { dryRun: boolean; mapDomain: Record<string, string> } };

export type ParsedImportForm =
  { ok: true; request: ImportRequest; values: ImportFormValues } | { ok: false; values: ImportFormValues; errors: ImportFieldErrors };

export const EMPTY_IMPORT_VALUES: ImportFormValues = {
  source: 'wordpress',
  dry_run: false,
  skip_pages: false,
  with_pingbacks: false,
  map_author: '',
  map_domain: '',
};

const MAPPING_MAX = 20_000;
const checkbox = z.literal('1').optional();
const importFormSchema = z.strictObject({
  _csrf: z.string().max(1000).optional(),
  source: z.string().max(50).optional(),
  dry_run: checkbox,
  skip_pages: checkbox,
  with_pingbacks: checkbox,
  map_author: z.string().max(MAPPING_MAX).optional(),
  map_domain: z.string().max(MAPPING_MAX).optional(),
});

/** What the form sent, as far as it can be read: the values to show again. */
export function importFormValues(body: unknown): ImportFormValues {
  const fields = (body ?? {}) as Record<string, unknown>;
  const text = (name: string, fallback = '') => (typeof fields[name] === 'string' ? fields[name] : fallback);
  return {
    source: text('source', 'wordpress'),
    dry_run: fields.dry_run === '1',
    skip_pages: fields.skip_pages === '1',
    with_pingbacks: fields.with_pingbacks === '1',
    map_author: text('map_author').slice(0, MAPPING_MAX),
    map_domain: text('map_domain').slice(0, MAPPING_MAX),
  };
}

const WORDPRESS_LOGIN = /^[^\s=]{1,60}$/;
const USERNAME = /^[A-Za-z0-9._-]{1,60}$/;
const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i;

/**
 * "old=new" lines (blank lines skipped) to a map, or the first problem with
 * its line number; each side must match its pattern.
 */
export function parseMappingLines(
  text: string,
  sides: { old: RegExp; new: RegExp; oldName: string; newName: string },
): { ok: true; map: Record<string, string> } | { ok: false; problem: string } {
  const map: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const where = `Line ${index + 1}`;
    const equals = line.indexOf('=');
    if (equals < 0) return { ok: false, problem: `${where}: write it as old=new.` };
    const [from, to] = [line.slice(0, equals).trim(), line.slice(equals + 1).trim()];
    if (!sides.old.test(from)) return { ok: false, problem: `${where}: “${from}” is not ${sides.oldName}.` };
    if (!sides.new.test(to)) return { ok: false, problem: `${where}: “${to}” is not ${sides.newName}.` };
    if (from in map) return { ok: false, problem: `${where}: “${from}” is mapped twice.` };
    map[from] = to;
  }
  return { ok: true, map };
}

/**
 * The form as sent; `usernameExists` checks the right side of each author
 * mapping (an account must exist to receive the articles).
 */
export async function parseImportForm(body: unknown, usernameExists: (username: string) => Promise<boolean>): Promise<ParsedImportForm> {
  const values = importFormValues(body);
  const parsed = importFormSchema.safeParse(body ?? {});
  const errors: ImportFieldErrors = {};
  if (!parsed.success) {
    return { ok: false, values, errors: { source: 'The form could not be read. Reload the page and try again.' } };
  }
  const source = (IMPORT_SOURCES as readonly string[]).includes(values.source) ? (values.source as ImportSource) : null;
  if (!source) errors.source = 'Choose what the file is: a WordPress export or a Disqus export.';
  if (source === 'disqus') {
    const domains = parseMappingLines(values.map_domain, {
      old: DOMAIN,
      new: DOMAIN,
      oldName: 'a domain name',
      newName: 'a domain name',
    });
    if (!domains.ok) return { ok: false, values, errors: { map_domain: domains.problem } };
    return { ok: true, values, request: { source, options: { dryRun: values.dry_run, mapDomain: domains.map } } };
  }
  const authors = parseMappingLines(values.map_author, {
    old: WORDPRESS_LOGIN,
    new: USERNAME,
    oldName: 'a WordPress login',
    newName: 'a username',
  });
  if (!authors.ok) errors.map_author = authors.problem;
  else {
    for (const username of new Set(Object.values(authors.map))) {
      if (!(await usernameExists(username))) {
        errors.map_author = `There is no account named “${username}” here. Create it first, or leave that line out.`;
        break;
      }
    }
  }
  if (!source || !authors.ok || errors.map_author) return { ok: false, values, errors };
  return {
    ok: true,
    values,
    request: {
      source,
      options: {
        dryRun: values.dry_run,
        skipPages: values.skip_pages,
        withPingbacks: values.with_pingbacks,
        mapAuthor: authors.map,
      },
    },
  };
}
