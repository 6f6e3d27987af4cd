import { Parser } from 'htmlparser2';
import { articleText, firstParagraphText, renderArticleBody, type ArticleFormat } from './article-markdown.js';
import { countWords } from './reading.js';
import type { MediaLookup } from '../media/index.js';

/** What a save stores beside the source: made once, served as is. */
export interface PreparedBody {
  html: string;
  /** Words of the text a reader reads: no markup, captions or alt text. */
  wordCount: number;
  /** The excerpt as typed, else the body's first paragraph: what lists and feeds show. */
  summary: string;
}

const SUMMARY_MAX = 600;

/** `media`: the stored uploads the body shows (lookUpMedia of mediaUrlsIn(source)), for their sizes and srcset. */
export function prepareArticleBody(source: string, format: ArticleFormat, excerpt: string | null, media?: MediaLookup): PreparedBody {
  const html = renderArticleBody(source, format, media);
  const typed = excerpt?.replace(/\s+/g, ' ').trim() ?? '';
  const summary = typed !== '' ? typed : firstParagraphText(html);
  return { html, wordCount: countWords(articleText(html)), summary: cut(summary, SUMMARY_MAX) };
}

function cut(text: string, max: number): string {
  const characters = Array.from(text);
  return characters.length <= max
    ? text
    : `${characters
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

/**
 * The rendered body in two parts, split after its `blocks`-th top-level
 * element, so the figure can stand between them; past the end, all of it
 * comes first.
 */
export function splitAfterBlock(html: string, blocks: number): [string, string] {
  let depth = 0;
  let seen = 0;
  let splitAt = html.length;
  const parser = new Parser(
    {
      onopentag() {
        depth++;
      },
      onclosetag() {
        depth--;
        if (depth === 0 && ++seen === blocks && splitAt === html.length) splitAt = parser.endIndex + 1;
      },
    },
    { decodeEntities: true },
  );
  parser.end(html);
  return [html.slice(0, splitAt), html.slice(splitAt)];
}
