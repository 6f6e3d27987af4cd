import { slugify } from './article-markdown.js';

/**
 * The editor's tags field: names separated by commas, as WordPress takes
 * them. A tag is known by its slug, so "Politics" and "politics" are one
 * tag (the name first stored is the one shown). Slugs are ASCII letters,
 * digits and hyphens, as the schema and the /tags/:slug address require.
 */

export interface TagName {
  name: string;
  slug: string;
}

export type TagParse = { ok: true; tags: TagName[] } | { ok: false; message: string };

export const TAG_NAME_MAX = 100;
export const TAGS_PER_ARTICLE_MAX = 30;

/** The address form of a name or title: slugify's, kept to the characters an address may carry ('' when none is left). */
export function addressSlug(name: string): string {
  return slugify(name)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** "Politics, Asia ,, politics" → Politics and Asia: blanks dropped, repeats (by slug) kept once. */
export function parseTagNames(text: string): TagParse {
  const tags: TagName[] = [];
  const seen = new Set<string>();
  for (const piece of text.split(',')) {
    const name = piece.replace(/\s+/g, ' ').trim();
    if (name === '') continue;
    if (Array.from(name).length > TAG_NAME_MAX) {
      return { ok: false, message: `Each tag must be ${TAG_NAME_MAX} characters or fewer: “${name.slice(0, 20)}…” is longer.` };
    }
    const slug = addressSlug(name);
    if (slug === '') return { ok: false, message: `The tag “${name}” needs at least one letter from a to z or a digit.` };
    if (seen.has(slug)) continue;
    seen.add(slug);
    tags.push({ name, slug });
  }
  if (tags.length > TAGS_PER_ARTICLE_MAX) return { ok: false, message: `An article takes at most ${TAGS_PER_ARTICLE_MAX} tags.` };
  return { ok: true, tags };
}

/** Names as the field shows them. */
export function formatTagNames(names: readonly string[]): string {
  return names.join(', ');
}
