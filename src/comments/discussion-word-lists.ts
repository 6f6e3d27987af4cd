import AhoCorasick from 'modern-ahocorasick';

/**
 * The moderation and disallowed word lists, matched against a comment's
 * fields. Each field is lower-cased once and scanned once for every word of
 * every list by one Aho–Corasick matcher, compiled once per distinct set of
 * lists and kept: a thousand words and a 65,525-character comment cost one
 * pass over the comment, not a thousand.
 *
 * The matcher compares grapheme clusters, found by Intl.Segmenter, whose
 * cost grows with the square of the text it is given at once. So a field is
 * handed over in windows of a bounded size that overlap by the longest word
 * less one: every place a word can occur lies wholly inside some window, and
 * the work stays proportional to the field's length.
 */

export interface FieldText {
  /** How the field is named in a reason, e.g. "text" or "website". */
  label: string;
  text: string;
}

/** One list word found in one field. */
export interface ListedWord {
  word: string;
  field: string;
}

/** Every word of `lists[i]` found in `fields`, in list order then field order, for each list. */
export type ListedWordsFound = ListedWord[][];

/** The matcher's counters, so tests can bound its work without a clock. */
export interface WordMatchingWork {
  /** Matchers built (each distinct set of lists once). */
  compiles: number;
  /** Fields scanned (each field once per decision). */
  fieldScans: number;
  /** UTF-16 units handed to the matcher, overlaps included. */
  unitsScanned: number;
}

const work: WordMatchingWork = { compiles: 0, fieldScans: 0, unitsScanned: 0 };

export const wordMatchingWork = (): WordMatchingWork => ({ ...work });

/** How list words and fields are compared: case-insensitively, with one fold of each. */
export const foldForMatching = (text: string) => text.toLowerCase();

const WINDOW_UNITS = 2048;

interface WordRef {
  list: number;
  index: number;
}

interface CompiledLists {
  matcher: AhoCorasick | null;
  /** For each pattern, in the matcher's order, the list words it stands for. */
  owners: WordRef[][];
  longestUnits: number;
}

function compile(lists: ReadonlyArray<readonly string[]>): CompiledLists {
  work.compiles += 1;
  // Words that fold alike ("Casino", "casino") share one pattern, so one hit names all of them.
  const entries = new Map<string, WordRef[]>();
  lists.forEach((words, list) =>
    words.forEach((word, index) => {
      const folded = foldForMatching(word);
      if (folded === '') return;
      const owners = entries.get(folded) ?? [];
      owners.push({ list, index });
      entries.set(folded, owners);
    }),
  );
  const patterns = [...entries.keys()];
  return {
    matcher: patterns.length > 0 ? new AhoCorasick(patterns) : null,
    owners: [...entries.values()],
    longestUnits: Math.max(0, ...patterns.map((pattern) => pattern.length)),
  };
}

/** Settings change rarely: a few sets of lists at once at most (an instance's current ones, a test's). */
const MAX_KEPT = 16;
const byText = new Map<string, CompiledLists>();
/** The settings are remembered between requests, so the same arrays come back: found by identity, not by reading every word. */
const byIdentity = new WeakMap<readonly string[], Array<{ others: ReadonlyArray<readonly string[]>; compiled: CompiledLists }>>();

function compiledFor(lists: ReadonlyArray<readonly string[]>): CompiledLists {
  const [first, ...others] = lists;
  const sameArrays = (entry: { others: ReadonlyArray<readonly string[]> }) =>
    entry.others.length === others.length && entry.others.every((list, index) => list === others[index]);
  const known = first ? byIdentity.get(first)?.find(sameArrays) : undefined;
  if (known) return known.compiled;
  const key = JSON.stringify(lists);
  let found = byText.get(key);
  if (!found) {
    if (byText.size >= MAX_KEPT) byText.clear();
    found = compile(lists);
    byText.set(key, found);
  }
  if (first) {
    const entries = byIdentity.get(first) ?? [];
    if (entries.length >= MAX_KEPT) entries.length = 0;
    entries.push({ others, compiled: found });
    byIdentity.set(first, entries);
  }
  return found;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** The indexes of the patterns that occur in `text`, scanning it window by window. */
function patternsIn(lists: CompiledLists, text: string): Set<number> {
  const found = new Set<number>();
  work.fieldScans += 1;
  const { matcher, longestUnits } = lists;
  if (!matcher || text.length === 0) return found;
  const overlap = longestUnits - 1;
  const step = Math.max(WINDOW_UNITS, 2 * longestUnits);
  for (let start = 0; start < text.length; start += step) {
    let from = start;
    let to = Math.min(text.length, start + step + overlap);
    // Never split a surrogate pair: the window before always reaches past this one's start.
    if (from > 0 && isLowSurrogate(text.charCodeAt(from))) from += 1;
    if (to < text.length && isHighSurrogate(text.charCodeAt(to - 1))) to += 1;
    const window = text.slice(from, to);
    work.unitsScanned += window.length;
    matcher.countByPattern(window).forEach((count, index) => {
      if (count > 0) found.add(index);
    });
    if (to >= text.length) break;
  }
  return found;
}

/**
 * Every word of each list that occurs, case-insensitively, as a substring of
 * each field: for each list, its words in list order, each with every field
 * it is in (in the fields' order). Each field is folded and scanned once.
 */
export function findWordsInFields(fields: readonly FieldText[], lists: ReadonlyArray<readonly string[]>): ListedWordsFound {
  const found: ListedWordsFound = lists.map(() => []);
  if (lists.every((words) => words.length === 0)) return found;
  const compiledLists = compiledFor(lists);
  if (!compiledLists.matcher) return found;
  // hits[list] maps a word's index to the positions of the fields it was found in.
  const hits = lists.map(() => new Map<number, number[]>());
  fields.forEach(({ text }, fieldIndex) => {
    for (const pattern of patternsIn(compiledLists, foldForMatching(text))) {
      for (const { list, index } of compiledLists.owners[pattern]!) {
        const where = hits[list]!.get(index) ?? [];
        where.push(fieldIndex);
        hits[list]!.set(index, where);
      }
    }
  });
  hits.forEach((byWord, list) => {
    for (const index of [...byWord.keys()].sort((a, b) => a - b)) {
      for (const fieldIndex of byWord.get(index)!) found[list]!.push({ word: lists[list]![index]!, field: fields[fieldIndex]!.label });
    }
  });
  return found;
}
