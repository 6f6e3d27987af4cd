import type { Database } from '../../src/platform/db/connection.js';
import { DEMO_SLUG } from './database.js';

/**
 * Rows written straight into the test database, so a test can set up a
 * thread without going through the code it is testing.
 */

export type TestCommentStatus = 'pending' | 'approved' | 'spam' | 'trash';

export interface TestComment {
  article_id: string;
  parent_id: string | null;
  status: TestCommentStatus;
  author_name: string;
  author_email: string;
  author_url: string;
  body: string;
  ip: string | null;
  user_agent: string;
  created_at: Date;
}

/** Every column a POST should have filled, as read back from the database. */
export interface StoredComment extends TestComment {
  id: string;
  submission_id: string | null;
}

let minute = 0;

export async function articleIdOf(db: Database, slug = DEMO_SLUG): Promise<string> {
  const row = await db('articles').select<{ id: string }>('id').where({ slug }).first();
  if (!row) throw new Error(`no article ${slug} in the test database`);
  return row.id;
}

/**
 * Inserts one comment (approved on the demo article unless told otherwise)
 * and returns its id. Each call is a minute later than the one before, so the
 * display order is the insertion order.
 */
export async function insertComment(db: Database, fields: Partial<TestComment> = {}): Promise<string> {
  minute += 1;
  const row: TestComment = {
    article_id: fields.article_id ?? (await articleIdOf(db)),
    parent_id: null,
    status: 'approved',
    author_name: `Reader ${minute}`,
    author_email: `reader${minute}@example.net`,
    author_url: '',
    body: `Comment number ${minute}.`,
    ip: '192.0.2.10',
    user_agent: 'Seeded/1.0',
    created_at: new Date(Date.UTC(2023, 0, 3, 0, minute % 1440)),
    ...fields,
  };
  const [inserted] = await db('comments').insert(row).returning<Array<{ id: string }>>('id');
  return String(inserted!.id);
}

export interface TestArticle {
  slug: string;
  title: string;
  author_name: string;
  body: string;
  status: 'draft' | 'published';
  comments_open: boolean;
  published_at: Date | null;
}

export async function insertArticle(db: Database, fields: Partial<TestArticle> & { slug: string }): Promise<string> {
  const row: TestArticle = {
    title: 'A second article',
    author_name: 'Test Author',
    body: 'First paragraph.\n\nSecond paragraph.',
    status: 'published',
    comments_open: true,
    published_at: new Date('2023-02-01T09:00:00Z'),
    ...fields,
  };
  const [inserted] = await db('articles').insert(row).returning<Array<{ id: string }>>('id');
  return String(inserted!.id);
}

export async function allComments(db: Database): Promise<StoredComment[]> {
  const rows = await db('comments').select<StoredComment[]>('*').orderBy('id');
  return rows.map((row) => ({ ...row, id: String(row.id), parent_id: row.parent_id === null ? null : String(row.parent_id) }));
}

export async function commentCount(db: Database): Promise<number> {
  const row = await db('comments').count<{ count: string }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}
