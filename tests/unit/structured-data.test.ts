import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  absoluteImageUrl,
  articleSocialMeta,
  articleStructuredData,
  encodeJsonLd,
  websiteSocialMeta,
  type ArticleFacts,
} from '../../src/articles/structured-data.js';

const FACTS: ArticleFacts = {
  url: 'https://news.example/articles/a-piece',
  siteName: 'Broadsheet',
  headline: 'A piece',
  description: 'The first paragraph.',
  authorName: 'Kareem Salem',
  publishedAt: new Date('2023-01-02T09:00:00Z'),
  modifiedAt: new Date('2023-01-03T10:00:00Z'),
  commentCount: 3,
  comments: [
    {
      url: 'https://news.example/articles/a-piece#comment-7',
      authorName: 'Ada',
      createdAt: new Date('2023-01-04T11:00:00Z'),
      text: 'Well said.',
    },
  ],
};

describe('articleStructuredData', () => {
  it('describes the article as schema.org Article, with its approved comments as Comment', () => {
    assert.deepEqual(articleStructuredData(FACTS), {
      '@context': 'https://schema.org',
      '@type': 'Article',
      headline: 'A piece',
      description: 'The first paragraph.',
      url: FACTS.url,
      mainEntityOfPage: { '@type': 'WebPage', '@id': FACTS.url },
      image: 'https://news.example/images/video-call.svg',
      author: { '@type': 'Person', name: 'Kareem Salem' },
      publisher: { '@type': 'Organization', name: 'Broadsheet' },
      datePublished: '2023-01-02T09:00:00.000Z',
      dateModified: '2023-01-03T10:00:00.000Z',
      commentCount: 3,
      comment: [
        {
          '@type': 'Comment',
          url: 'https://news.example/articles/a-piece#comment-7',
          author: { '@type': 'Person', name: 'Ada' },
          dateCreated: '2023-01-04T11:00:00.000Z',
          datePublished: '2023-01-04T11:00:00.000Z',
          text: 'Well said.',
        },
      ],
    });
  });

  it('gives the article’s own figure as its image, the author’s page when known, and a comment’s approval as its publication', () => {
    const data = articleStructuredData({
      ...FACTS,
      image: 'https://news.example/images/figure.jpg',
      authorUrl: 'https://news.example/authors/kareem',
      comments: [{ ...FACTS.comments[0]!, publishedAt: new Date('2023-01-05T08:00:00Z') }],
    });
    assert.equal(data.image, 'https://news.example/images/figure.jpg');
    assert.deepEqual(data.author, { '@type': 'Person', name: 'Kareem Salem', url: 'https://news.example/authors/kareem' });
    const [comment] = data.comment as Array<Record<string, unknown>>;
    assert.equal(comment!.dateCreated, '2023-01-04T11:00:00.000Z');
    assert.equal(comment!.datePublished, '2023-01-05T08:00:00.000Z');
  });

  it('makes an image path absolute on the site', () => {
    assert.equal(absoluteImageUrl('/images/a.png', 'https://news.example/articles/x'), 'https://news.example/images/a.png');
    assert.equal(absoluteImageUrl(null, 'https://news.example/'), 'https://news.example/images/video-call.svg');
  });
});

describe('encodeJsonLd', () => {
  const hostile = {
    text: '</script><script>alert(1)</script> <!-- & \u2028 \u2029 “quoted”',
    name: '</SCRIPT >',
  };

  it('leaves no character that could end or confuse a script element', () => {
    const encoded = encodeJsonLd(hostile);
    assert.doesNotMatch(encoded, /[<>&\u2028\u2029]/);
    assert.ok(encoded.includes('\\u003c/script\\u003e'));
  });

  it('is still the same JSON', () => {
    assert.deepEqual(JSON.parse(encodeJsonLd(hostile)), hostile);
    assert.deepEqual(JSON.parse(encodeJsonLd(articleStructuredData(FACTS))), articleStructuredData(FACTS));
  });

  it('keeps other text as it is', () => {
    assert.equal(encodeJsonLd({ a: 'Putin’s “push”' }), '{"a":"Putin’s “push”"}');
  });
});

describe('social meta tags', () => {
  const asRecord = (tags: ReturnType<typeof articleSocialMeta>) =>
    Object.fromEntries(tags.map((tag) => [`${tag.attribute}:${tag.key}`, tag.content]));

  it('gives OpenGraph article tags and a Twitter summary card', () => {
    const tags = asRecord(articleSocialMeta(FACTS));
    assert.equal(tags['property:og:type'], 'article');
    assert.equal(tags['property:og:title'], 'A piece');
    assert.equal(tags['property:og:description'], 'The first paragraph.');
    assert.equal(tags['property:og:url'], FACTS.url);
    assert.equal(tags['property:og:image'], 'https://news.example/images/video-call.svg', 'the site’s picture when the article has none');
    assert.equal(
      asRecord(articleSocialMeta({ ...FACTS, image: 'https://news.example/images/f.png' }))['property:og:image'],
      'https://news.example/images/f.png',
    );
    assert.equal(tags['property:og:site_name'], 'Broadsheet');
    assert.equal(tags['property:article:published_time'], '2023-01-02T09:00:00.000Z');
    assert.equal(tags['property:article:author'], 'Kareem Salem');
    assert.equal(tags['name:twitter:card'], 'summary');
    assert.equal(tags['name:twitter:title'], 'A piece');
    assert.equal(tags['name:twitter:description'], 'The first paragraph.');
  });

  it('describes the home page as a website', () => {
    const tags = asRecord(websiteSocialMeta({ name: 'Broadsheet', url: 'https://news.example/', description: 'News.' }));
    assert.equal(tags['property:og:type'], 'website');
    assert.equal(tags['property:og:url'], 'https://news.example/');
    assert.equal(tags['property:og:image'], 'https://news.example/images/video-call.svg');
  });
});
