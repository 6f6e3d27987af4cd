/** Reading-bar text and reading time, as the article page shows them. */

export const WORDS_PER_MINUTE = 200;
export const READING_BAR_TITLE_LENGTH = 24;

export function countWords(text: string): number {
  return text.split(/\s+/u).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

const minutesByText = new Map<string, number>();
const MINUTES_REMEMBERED = 200;

/** Minutes = words / 200, rounded, and never less than one. Remembered per text: article bodies rarely change. */
export function readingMinutes(text: string): number {
  let minutes = minutesByText.get(text);
  if (minutes === undefined) {
    minutes = Math.max(1, Math.round(countWords(text) / WORDS_PER_MINUTE));
    if (minutesByText.size >= MINUTES_REMEMBERED) minutesByText.clear();
    minutesByText.set(text, minutes);
  }
  return minutes;
}

/** Cuts by characters (not UTF-16 units), ending in an ellipsis when cut. */
export function truncateTitle(title: string, maxLength = READING_BAR_TITLE_LENGTH): string {
  const characters = Array.from(title);
  if (characters.length <= maxLength) return title;
  return (
    characters
      .slice(0, maxLength - 1)
      .join('')
      .trimEnd() + '…'
  );
}

export function readingBarLabel(article: { title: string; author_name: string; body: string }): string {
  return `${truncateTitle(article.title)} by ${article.author_name} time to read: ${readingMinutes(article.body)} min`;
}

/** The body's paragraphs, split on blank lines, in order. */
export function paragraphsOf(body: string): string[] {
  return body
    .split(/\r?\n\s*\r?\n/)
    .map((paragraph) => paragraph.replace(/\s*\r?\n\s*/g, ' ').trim())
    .filter((paragraph) => paragraph.length > 0);
}
