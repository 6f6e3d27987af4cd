import type { Writable } from 'node:stream';
import type { Database } from '../platform/db/connection.js';
import {
  allowLongRead,
  articlesAfter,
  countExportRows,
  fetchComments,
  listTags,
  openCommentCursor,
  tagsOfArticles,
  type ExportCommentRow,
} from './wordpress-export-queries.js';
import { articleOpening, commentElement, head, loadAuthors, type ExportOptions } from './wordpress-export-elements.js';

/**
 * The whole site as a WXR 1.2 file (WordPress's export format, laid out as
 * its own export writes it): every article whatever its status, and every
 * comment whatever its status, threaded by wp:comment_parent. One read-only
 * snapshot; articles a page at a time and comments through a cursor, each
 * piece written as the destination takes it, so memory stays flat however
 * many comments there are. Media files are not in it, only their addresses.
 */

export interface ExportProgress {
  done: number;
  total: number | null;
}

const ARTICLES_PER_PAGE = 100;
const COMMENTS_PER_FETCH = 1000;

/** Thrown when the destination went away (a download cancelled): the export stops there. */
export class ExportAborted extends Error {}

export type { ExportOptions };

/** Writes a chunk and waits while the destination's buffer is full. */
function writerTo(out: Writable): (chunk: string) => Promise<void> {
  return async (chunk) => {
    if (out.destroyed || out.writableEnded) throw new ExportAborted('The export was cancelled.');
    if (out.write(chunk)) return;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        out.off('drain', done);
        out.off('close', closed);
        resolve();
      };
      const closed = () => {
        out.off('drain', done);
        reject(new ExportAborted('The export was cancelled.'));
      };
      out.once('drain', done);
      out.once('close', closed);
    });
  };
}

/** Comments of the cursor, handed out article by article (both walks go in article id order). */
class CommentWalk {
  private buffer: ExportCommentRow[] = [];
  private at = 0;
  private finished = false;

  constructor(private readonly trx: Database) {}

  /** The comments of `articleId`, a page at a time. */
  async *of(articleId: bigint): AsyncGenerator<ExportCommentRow[]> {
    for (;;) {
      if (this.at >= this.buffer.length) {
        if (this.finished) return;
        this.buffer = await fetchComments(this.trx, COMMENTS_PER_FETCH);
        this.at = 0;
        if (this.buffer.length < COMMENTS_PER_FETCH) this.finished = true;
        if (this.buffer.length === 0) return;
      }
      // Never met in one snapshot (every comment's article is walked, in order); skipped rather than stalling.
      while (this.at < this.buffer.length && BigInt(this.buffer[this.at]!.article_id) < articleId) this.at += 1;
      const start = this.at;
      while (this.at < this.buffer.length && BigInt(this.buffer[this.at]!.article_id) === articleId) this.at += 1;
      if (this.at > start) yield this.buffer.slice(start, this.at);
      // The next comment belongs to a later article (or none is left in this page and more may follow).
      if (this.at < this.buffer.length) return;
    }
  }
}

/** Writes the export to `out` (not ending it); `onProgress` hears articles done of the total. */
export async function writeWordpressExport(
  db: Database,
  out: Writable,
  options: ExportOptions,
  onProgress?: (progress: ExportProgress) => void,
): Promise<{ articles: number; comments: number }> {
  const write = writerTo(out);
  return db.transaction(
    async (trx) => {
      await allowLongRead(trx);
      const authors = await loadAuthors(trx);
      const tags = await listTags(trx);
      const totals = await countExportRows(trx);
      await write(head(options, authors, tags));
      await openCommentCursor(trx);
      const comments = new CommentWalk(trx);
      const written = { articles: 0, comments: 0 };
      for (let afterId = '0'; ;) {
        const articles = await articlesAfter(trx, afterId, ARTICLES_PER_PAGE);
        if (articles.length === 0) break;
        const tagsOf = await tagsOfArticles(
          trx,
          articles.map((article) => article.id),
        );
        for (const article of articles) {
          await write(articleOpening(article, tagsOf.get(article.id) ?? [], authors, options));
          for await (const page of comments.of(BigInt(article.id))) {
            await write(page.map((comment) => commentElement(comment, options)).join(''));
            written.comments += page.length;
          }
          await write('\t</item>\n');
          written.articles += 1;
        }
        onProgress?.({ done: written.articles, total: totals.articles });
        afterId = articles[articles.length - 1]!.id;
      }
      await write('</channel>\n</rss>\n');
      return written;
    },
    { isolationLevel: 'repeatable read', readOnly: true },
  );
}
