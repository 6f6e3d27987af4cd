/**
 * What machines read about an article page: schema.org JSON-LD for search
 * engines, OpenGraph and Twitter card tags for link previews. Plain values in,
 * plain values out; the layout only prints them.
 */

export interface CommentFacts {
  url: string;
  authorName: string;
  createdAt: Date;
  text: string;
}

export interface ArticleFacts {
  /** Absolute canonical URL. */
  url: string;
  siteName: string;
  headline: string;
  description: string;
  authorName: string;
  publishedAt: Date;
  modifiedAt: Date;
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

export function articleStructuredData(facts: ArticleFacts): Record<string, unknown> {
  return {
    '@context': 'https://schema.org',
    '@type': 'Article',
    headline: facts.headline,
    description: facts.description,
    url: facts.url,
    mainEntityOfPage: { '@type': 'WebPage', '@id': facts.url },
    author: { '@type': 'Person', name: facts.authorName },
    publisher: { '@type': 'Organization', name: facts.siteName },
    datePublished: facts.publishedAt.toISOString(),
    dateModified: facts.modifiedAt.toISOString(),
    commentCount: facts.commentCount,
    comment: facts.comments.map((comment) => ({
      '@type': 'Comment',
      url: comment.url,
      author: { '@type': 'Person', name: comment.authorName },
      dateCreated: comment.createdAt.toISOString(),
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
  return JSON.stringify(data).replace(/[<>&\u2028\u2029]/g, (character) =>
    `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
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
    og('article:published_time', facts.publishedAt.toISOString()),
    og('article:modified_time', facts.modifiedAt.toISOString()),
    og('article:author', facts.authorName),
    twitter('twitter:card', 'summary'),
    twitter('twitter:title', facts.headline),
    twitter('twitter:description', facts.description),
  ];
}

export function websiteSocialMeta(site: { name: string; url: string; description: string }): SocialMetaTag[] {
  return [
    { attribute: 'property', key: 'og:type', content: 'website' },
    { attribute: 'property', key: 'og:site_name', content: site.name },
    { attribute: 'property', key: 'og:title', content: site.name },
    { attribute: 'property', key: 'og:description', content: site.description },
    { attribute: 'property', key: 'og:url', content: site.url },
    { attribute: 'name', key: 'twitter:card', content: 'summary' },
  ];
}
