import type { Database } from '../../src/platform/db/connection.js';
import { createAdmin } from '../../src/admin-auth/admins.js';
import { insertArticle } from './articles.js';
import { insertComment } from './rows.js';

/**
 * A small site with everything an export must carry: Markdown and HTML
 * articles in every status, tags, an excerpt, a figure, and comments in
 * every status with threads, IP addresses and a reply from the site.
 */
export interface SeededSite {
  articles: { markdown: string; html: string; draft: string; scheduled: string; trashed: string };
  comments: { top: string; siteReply: string; deepReply: string; pending: string; spam: string; trashed: string; onHtml: string };
}

export const MARKDOWN_BODY = [
  'A first paragraph with **bold** words and a [link](https://example.org/a?b=1&c=2).',
  '',
  'Code that closes CDATA: `]]>` and <angle> & ampersand.',
  '',
  '- a list item',
  '- another, with “quotes” and émoji 🦆',
].join('\n');

export const HTML_BODY =
  '<p>An imported <em>HTML</em> article.</p>\n<p>Its second paragraph, with a <a href="https://example.org/">link</a>.</p>';

export async function seedSite(db: Database): Promise<SeededSite> {
  const ada = await createAdmin(db, 'ada', 'correct horse battery staple', { displayName: 'Ada Lovelace' });
  await db('users').where({ id: ada.id }).update({ email: 'ada@example.org' });
  const markdown = await insertArticle(db, {
    slug: 'the-markdown-one',
    title: 'The Markdown one: <tags> & “quotes”',
    author_name: 'Ada Lovelace',
    author_id: ada.id,
    body: MARKDOWN_BODY,
    excerpt: 'A hand-written excerpt.',
    published_at: new Date('2024-03-10T08:30:15Z'),
    figure_image: '/images/seed-figure.jpg',
    figure_alt: 'A duck on a pond',
    figure_caption: 'Source: a pond',
    figure_after_paragraph: 2,
    tags: ['Foreign Policy', 'Asia'],
  });
  const html = await insertArticle(db, {
    slug: 'the-html-one',
    title: 'The HTML one',
    author_name: 'Guest Writer',
    body: HTML_BODY,
    body_format: 'html',
    comments_open: false,
    published_at: new Date('2023-11-05T17:45:00Z'),
    tags: ['Asia'],
  });
  const draft = await insertArticle(db, {
    slug: 'a-draft',
    title: 'A draft',
    status: 'draft',
    published_at: null,
    author_name: 'Guest Writer',
  });
  const scheduled = await insertArticle(db, {
    slug: 'for-later',
    title: 'For later',
    status: 'scheduled',
    published_at: new Date('2031-01-01T12:00:00Z'),
    author_name: 'Ada Lovelace',
    author_id: ada.id,
  });
  const trashed = await insertArticle(db, {
    slug: 'thrown-away',
    title: 'Thrown away',
    status: 'trash',
    published_at: new Date('2022-06-01T06:00:00Z'),
    author_name: 'Guest Writer',
  });
  const at = (minute: number) => new Date(Date.UTC(2024, 2, 11, 9, minute, 7));
  const top = await insertComment(db, {
    article_id: markdown.id,
    author_name: 'Grace Hopper',
    author_email: 'grace@example.net',
    author_url: 'https://grace.example.net/',
    ip: '198.51.100.7',
    body: 'First paragraph of a comment.\n\nSecond one, with <b>not a tag</b> & an ampersand, and ]]> too.',
    created_at: at(1),
  });
  const siteReply = await insertComment(db, {
    article_id: markdown.id,
    parent_id: top,
    author_name: 'Ada Lovelace',
    author_email: 'ada@example.org',
    ip: null,
    body: 'Thanks, Grace.',
    created_at: at(2),
  });
  await db('comments').where({ id: siteReply }).update({ user_id: ada.id, is_site_reply: true });
  const deepReply = await insertComment(db, {
    article_id: markdown.id,
    parent_id: siteReply,
    author_name: 'Grace Hopper',
    author_email: 'grace@example.net',
    ip: '2001:db8::7',
    body: 'A reply to the reply.',
    created_at: at(3),
  });
  const pending = await insertComment(db, { article_id: markdown.id, status: 'pending', author_name: 'Held Back', created_at: at(4) });
  const spam = await insertComment(db, {
    article_id: markdown.id,
    status: 'spam',
    author_name: 'Cheap Pills',
    body: 'Buy now',
    created_at: at(5),
  });
  const trashedComment = await insertComment(db, { article_id: markdown.id, status: 'trash', author_name: 'Binned', created_at: at(6) });
  const onHtml = await insertComment(db, { article_id: html.id, author_name: 'Linus', created_at: at(7) });
  return {
    articles: { markdown: markdown.id, html: html.id, draft: draft.id, scheduled: scheduled.id, trashed: trashed.id },
    comments: { top, siteReply, deepReply, pending, spam, trashed: trashedComment, onHtml },
  };
}
