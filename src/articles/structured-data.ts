/**
 * What machines read about an article page: schema.org JSON-LD for search
 * engines, OpenGraph and Twitter card tags for link previews. Plain values in,
 * plain values out; the layout only prints them.
 */

import { SITE_IMAGE_PATH } from '../platform/rendering/site-image.js';

export interface CommentFacts {
  url: string;
  authorName: string;
  createdAt: Date;
  /** When it went public (its approval); the time it was written when not known. */
  publishedAt?: Date;
  text: string;
}

export interface ArticleFacts {
  /** Absolute canonical URL. */
  url: string;
  siteName: string;
  headline: string;
  description: string;
  authorName: string;
  /** The author's own page, absolute; schema.org wants one that identifies the person, so none is better than the home page. */
  authorUrl?: string;
  /** The article's figure, absolute; the site's picture when it has none. */
  image?: string;
  publishedAt: Date;
  modifiedAt: Date;
  /** Its tag names; none, and the JSON-LD names no keywords. */
  keywords?: readonly string[];
  /** Every approved comment, not only those on this page. */
  commentCount: number;
  /** The approved comments shown on this page. */
  comments: readonly CommentFacts[];
}

export interface SocialMetaTag {
  /** OpenGraph uses `property`, Twitter cards `name`. */
  attribute: 'property' | 'name';
  key: string;
  content: string;
}

/** An image path of this site (or an absolute URL) as an absolute URL, resolved against any absolute URL of the site. */
export function absoluteImageUrl(imagePath: string | null | undefined, siteUrl: string): string {
  return new URL(imagePath || SITE_IMAGE_PATH, siteUrl).href;
}

const imageOf = (facts: ArticleFacts) => facts.image ?? absoluteImageUrl(null, facts.url);

export function articleStructuredData(facts: ArticleFacts): Record<string, unknown> {
  return {
    '@context': 'https://schema.org',
    '@type': 'Article',
    headline: facts.headline,
    description: facts.description,
    url: facts.url,
    mainEntityOfPage: { '@type': 'WebPage', '@id': facts.url },
    image: imageOf(facts),
    author: { '@type': 'Person', name: facts.authorName, ...(facts.authorUrl ? { url: facts.authorUrl } : {}) },
    publisher: { '@type': 'Organization', name: facts.siteName },
    datePublished: facts.publishedAt.toISOString(),
    dateModified: facts.modifiedAt.toISOString(),
    ...(facts.keywords && facts.keywords.length > 0 ? { keywords: [...facts.keywords] } : {}),
    commentCount: facts.commentCount,
    comment: facts.comments.map((comment) => ({
      '@type': 'Comment',
      url: comment.url,
      author: { '@type': 'Person', name: comment.authorName },
      dateCreated: comment.createdAt.toISOString(),
      datePublished: (comment.publishedAt ?? comment.createdAt).toISOString(),
      text: comment.text,
    })),
  };
}

/**
 * JSON for the inside of a `<script type="application/ld+json">` element.
 * The HTML parser ends the element at the first `</script`, whatever JSON
 * thinks, and `<!--` changes how it reads on; so `<`, `>` and `&` are written
 * as \u escapes (still the same JSON), as are the two line separators that
 * older JavaScript parsers choke on.
 */
export function encodeJsonLd(data: unknown): string {
  return JSON.stringify(data).replace(/[<>&\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function articleSocialMeta(facts: ArticleFacts): SocialMetaTag[] {
  const og = (key: string, content: string): SocialMetaTag => ({ attribute: 'property', key, content });
  const twitter = (key: string, content: string): SocialMetaTag => ({ attribute: 'name', key, content });
  return [
    og('og:type', 'article'),
    og('og:site_name', facts.siteName),
    og('og:title', facts.headline),
    og('og:description', facts.description),
    og('og:url', facts.url),
    og('og:image', imageOf(facts)),
    og('article:published_time', facts.publishedAt.toISOString()),
    og('article:modified_time', facts.modifiedAt.toISOString()),
    og('article:author', facts.authorName),
    twitter('twitter:card', 'summary'),
    twitter('twitter:title', facts.headline),
    twitter('twitter:description', facts.description),
  ];
}

/** OpenGraph requires an image on every page; the layout adds the site's picture to any page whose tags have none. */
export function websiteSocialMeta(site: { name: string; url: string; description: string }): SocialMetaTag[] {
  return [
    { attribute: 'property', key: 'og:type', content: 'website' },
    { attribute: 'property', key: 'og:site_name', content: site.name },
    { attribute: 'property', key: 'og:title', content: site.name },
    { attribute: 'property', key: 'og:description', content: site.description },
    { attribute: 'property', key: 'og:url', content: site.url },
    { attribute: 'property', key: 'og:image', content: absoluteImageUrl(null, site.url) },
    { attribute: 'name', key: 'twitter:card', content: 'summary' },
  ];
}
