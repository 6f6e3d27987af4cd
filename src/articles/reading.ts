/** Reading-bar text and reading time, as the article page shows them. */

export const WORDS_PER_MINUTE = 200;
export const READING_BAR_TITLE_LENGTH = 24;

export function countWords(text: string): number {
  return text.split(/\s+/u).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

/** Minutes = words / 200, rounded, and never less than one. */
export function readingMinutes(words: number): number {
  return Math.max(1, Math.round(words / WORDS_PER_MINUTE));
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

export function readingBarLabel(title: string, authorName: string, minutes: number): string {
  return `${truncateTitle(title)} by ${authorName} time to read: ${minutes} min`;
}
