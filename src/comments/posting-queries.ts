import { batchedReads } from '../platform/db/batched-reads.js';
import type { Database } from '../platform/db/connection.js';
import { compiledOnce, preparedRaw } from '../platform/db/prepared.js';
import { matchingBlocksQuery, type BlockKind } from '../moderation/block-queries.js';
import { approvedCommentQuery, duplicateCommentQuery, type CommentRow, type CommentStatus, type NewComment } from './comment-queries.js';
import type { NewMail } from '../mail/outbox-queries.js';
import { rateLimitCountingSql, rateLimitCountOf, type RateLimitCount } from '../platform/db/rate-limits.js';

/**
 * A posted comment costs two statements: one reads every fact the rules
 * need, one counts the flood limit and stores the comment with its mail.
 * Each round trip costs the app CPU (a system call each way, and a wake-up
 * of the database's process), so there are as few as the rules allow.
 * Both are prepared statements (platform/db/prepared.ts): parsing them cost
 * PostgreSQL about as much as running them.
 */

export type ParentFacts = Pick<CommentRow, 'id' | 'article_id' | 'status' | 'author_name' | 'author_email' | 'body' | 'notify_on_reply'>;

export interface PostingFacts {
  /** The id the comment will have if stored (taken from the sequence now, so its mail can name it). */
  newId: string;
  /** The comment already stored under this submission id (a resent form). */
  earlier: Pick<CommentRow, 'id' | 'article_id' | 'status'> | null;
  parent: ParentFacts | null;
  duplicate: boolean;
  previouslyApproved: boolean;
  block: { kind: BlockKind; value: string } | null;
  /** The flood counters asked about, as they stand before this comment is counted (open windows only). */
  flood: RateLimitCount[];
  /** The article's approved comments (from the kept counts): few enough, and there is one comment page to place it on. */
  approvedOnArticle: number;
}

export interface PostingQuestion {
  submissionId: string | null;
  comment: Pick<NewComment, 'article_id' | 'parent_id' | 'author_name' | 'author_email' | 'body'>;
  ip: string | null;
  /** The flood limit's counters this comment would count against (at most two: by IP, by email), and the time now. */
  flood?: { keys: readonly string[]; nowMs: number };
}

const NO_ROW = 'NULL::json';

interface FactsRow {
  new_id: string;
  earlier: PostingFacts['earlier'];
  parent: ParentFacts | null;
  duplicate: boolean;
  previously_approved: boolean;
  block: PostingFacts['block'];
  flood: Array<{ key: string; points: number; expire: string | number }>;
  approved_on_article: number;
}

/** The question, flat: compiledOnce binds each field where the builder used it. */
type FactsInputs = PostingQuestion['comment'] & {
  submission_id: string | null;
  ip: string | null;
  flood_key_1: string | null;
  flood_key_2: string | null;
  now_ms: string | null;
};

const factsStatement = compiledOnce((db: Database, inputs: FactsInputs) => {
  const { submission_id: submissionId, ip, flood_key_1: floodKey1, flood_key_2: floodKey2, now_ms: nowMs, ...comment } = inputs;
  const floodKeys = [floodKey1, floodKey2].filter((key) => key !== null);
  const firstAsJson = (query: ReturnType<Database>) => db.raw('(SELECT row_to_json(found) FROM (?) AS found)', [query.limit(1)]);
  return db.select({
    new_id: db.raw("nextval('comments_id_seq')::text"),
    earlier: submissionId
      ? firstAsJson(db('comments').select(db.raw('id::text AS id, article_id::text AS article_id, status')).where({ submission_id: submissionId }))
      : db.raw(NO_ROW),
    parent: comment.parent_id
      ? firstAsJson(
          db('comments')
            .select(db.raw('id::text AS id, article_id::text AS article_id'), 'status', 'author_name', 'author_email', 'body', 'notify_on_reply')
            .where({ id: comment.parent_id }),
        )
      : db.raw(NO_ROW),
    duplicate: db.raw('EXISTS (?)', [duplicateCommentQuery(db, comment)]),
    previously_approved: comment.author_email ? db.raw('EXISTS (?)', [approvedCommentQuery(db, comment.author_name, comment.author_email)]) : db.raw('false'),
    block: firstAsJson(matchingBlocksQuery(db, comment.author_email, ip).select('kind', 'value')),
    flood:
      floodKeys.length > 0 && nowMs
        ? db.raw(
            `(SELECT coalesce(json_agg(json_build_object('key', key, 'points', points, 'expire', expire)), '[]'::json)
                FROM rate_limits WHERE key IN (${floodKeys.map(() => '?').join(', ')}) AND expire > CAST(? AS bigint))`,
            [...floodKeys, nowMs],
          )
        : db.raw("'[]'::json"),
    approved_on_article: db.raw("(SELECT coalesce(sum(count), 0)::int FROM comment_counts WHERE article_id = ? AND status = 'approved')", [comment.article_id]),
  });
});

const factsInputs = ({ submissionId, comment, ip, flood }: PostingQuestion): FactsInputs => ({
  ...comment,
  submission_id: submissionId,
  ip,
  flood_key_1: flood?.keys[0] ?? null,
  flood_key_2: flood?.keys[1] ?? null,
  now_ms: flood ? String(Math.floor(flood.nowMs)) : null,
});

const factsOf = (row: FactsRow): PostingFacts => ({
  newId: row.new_id,
  earlier: row.earlier,
  parent: row.parent,
  duplicate: row.duplicate,
  previouslyApproved: row.previously_approved,
  block: row.block,
  flood: row.flood.map(rateLimitCountOf),
  approvedOnArticle: row.approved_on_article,
});

/** Every fact about one comment about to be posted, in one statement. */
export async function readOnePostingFacts(db: Database, question: PostingQuestion): Promise<PostingFacts> {
  const { sql, bindings } = factsStatement(db, factsInputs(question));
  const result: { rows: FactsRow[] } = await preparedRaw(db, sql, bindings);
  return factsOf(result.rows[0]!);
}

/** The facts of several comments in one statement (one question's statement each, joined), in the order asked. */
export async function readPostingFactsTogether(db: Database, questions: readonly PostingQuestion[]): Promise<PostingFacts[]> {
  const parts = questions.map((question, index) => ({ index, ...factsStatement(db, factsInputs(question)) }));
  // In text order, so the statement (and its prepared plan) depends on which shapes came together, not their order.
  parts.sort((a, b) => (a.sql < b.sql ? -1 : a.sql > b.sql ? 1 : 0));
  const sql = parts.map((part) => `SELECT ?::int AS question, facts.* FROM (${part.sql}) AS facts`).join('\nUNION ALL\n');
  const bindings = parts.flatMap((part) => [part.index, ...part.bindings]);
  const result: { rows: Array<FactsRow & { question: number }> } = await preparedRaw(db, sql, bindings);
  const facts = new Array<PostingFacts>(questions.length);
  for (const row of result.rows) facts[row.question] = factsOf(row);
  return facts;
}

const factsReaders = new WeakMap<Database, (question: PostingQuestion) => Promise<PostingFacts>>();

/**
 * Every fact about a comment about to be posted. The questions asked in the
 * same turn of the event loop go to the database together (platform/db/batched-reads.ts).
 */
export function readPostingFacts(db: Database, question: PostingQuestion): Promise<PostingFacts> {
  let read = factsReaders.get(db);
  if (!read) {
    read = batchedReads(
      (questions: PostingQuestion[]) => readPostingFactsTogether(db, questions),
      (one: PostingQuestion) => readOnePostingFacts(db, one),
    );
    factsReaders.set(db, read);
  }
  return read(question);
}

export interface CommentToStore extends Omit<NewComment, 'status_reasons'> {
  id: string;
  status: CommentStatus;
  status_reasons: unknown[];
}

export interface PostingWrite {
  comment: CommentToStore;
  /** The flood limit's counters, counted whether or not the comment is stored. */
  flood: { keys: readonly string[]; durationMs: number; nowMs: number };
  /** Mail to moderators, queued with the comment. */
  staffMail: readonly NewMail[];
  /** Mail to commenters, queued with the comment; the outbox checks unsubscribes when it sends. */
  commenterMail: readonly NewMail[];
}

export interface PostingResult {
  /** The comment's id when this statement stored it; null when a flood counter was over, or its submission id was taken. */
  storedId: string | null;
  flood: RateLimitCount[];
}

const quotedColumnLists = new Map<string, string>();

/** `"a", "b"` for the column names (plain lower-case names, from this module's own objects). */
function quotedColumns(names: readonly string[]): string {
  const key = names.join(',');
  let quoted = quotedColumnLists.get(key);
  if (!quoted) {
    if (!names.every((name) => /^[a-z_]+$/.test(name))) throw new Error(`unexpected column name in ${key}`);
    quoted = names.map((name) => `"${name}"`).join(', ');
    quotedColumnLists.set(key, quoted);
  }
  return quoted;
}

/**
 * Counts the flood limit and, unless a counter is over, stores the comment
 * and queues its mail: one statement, so all of it or none is stored. A
 * comment whose submission id another post has just taken is not stored.
 */
export async function storePostedComment(db: Database, write: PostingWrite): Promise<PostingResult> {
  const { comment, flood } = write;
  const counting = flood.keys.length > 0 ? rateLimitCountingSql(flood.keys, flood.durationMs, flood.nowMs) : null;
  // Written into the text rather than bound as identifiers: knex quoting them anew for every post cost more than the rest of its work here.
  const columns = quotedColumns(Object.keys(comment));
  const mails = write.staffMail.length + write.commenterMail.length > 0;
  const mailColumns = 'dedupe_key, kind, recipient, subject, body, next_attempt_at, list_unsubscribe';
  const sql = `
    WITH flood AS (${counting?.sql ?? 'SELECT NULL::text AS key, 0 AS points, 0::bigint AS expire WHERE false'}),
    stored AS (
      INSERT INTO comments (${columns})
      SELECT ${columns} FROM json_populate_record(NULL::comments, ?::json)
       WHERE NOT EXISTS (SELECT 1 FROM flood WHERE points > 1)
      ON CONFLICT (submission_id) DO NOTHING
      RETURNING id::text AS id
    )${
      mails
        ? `,
    mail AS (
      INSERT INTO mail_outbox (${mailColumns})
      SELECT ${mailColumns} FROM (
        SELECT dedupe_key, kind, recipient, subject, body, coalesce(next_attempt_at, now()) AS next_attempt_at, list_unsubscribe
          FROM json_populate_recordset(NULL::mail_outbox, ?::json)
        UNION ALL
        SELECT dedupe_key, kind, recipient, subject, body, coalesce(next_attempt_at, now()), list_unsubscribe
          FROM json_populate_recordset(NULL::mail_outbox, ?::json)
      ) AS queued
      WHERE EXISTS (SELECT 1 FROM stored)
      ON CONFLICT (dedupe_key) DO NOTHING
    )`
        : ''
    }
    SELECT (SELECT id FROM stored) AS stored_id, (SELECT coalesce(json_agg(flood), '[]'::json) FROM flood) AS flood`;
  const bindings = [
    ...(counting?.bindings ?? []),
    JSON.stringify(comment),
    ...(mails ? [JSON.stringify(write.staffMail), JSON.stringify(write.commenterMail)] : []),
  ];
  const result: { rows: Array<{ stored_id: string | null; flood: Array<{ key: string; points: number; expire: number }> }> } = await preparedRaw(
    db,
    sql,
    bindings,
  );
  const row = result.rows[0]!;
  return { storedId: row.stored_id, flood: row.flood.map(rateLimitCountOf) };
}
