import type { TagLink } from '../platform/rendering/models.js';
import type { TagRow } from './tag-queries.js';

export const tagPath = (slug: string) => `/tags/${slug}`;

export const tagLinksOf = (tags: readonly Pick<TagRow, 'slug' | 'name'>[]): TagLink[] =>
  tags.map((tag) => ({ name: tag.name, path: tagPath(tag.slug) }));
