/**
 * What an import did, told as one count per line ('12 articles',
 * '29 comments: 26 approved, 3 pending', '4 pingbacks skipped', …), with
 * each skipped item and its reason, and every problem the rules met.
 * WordPress and Disqus imports both answer with an ImportSummary.
 */

export interface ImportProgress {
  /** Items (posts, or Disqus threads) done. */
  done: number;
  total: number | null;
}

export interface ImportSummary {
  lines: string[];
  counts: Record<string, number>;
  skipped: Array<{ item: string; reason: string }>;
  problems: string[];
}

/** Fatal: not WXR, malformed, a DTD with entities, …: nothing was imported. */
export class ImportRefused extends Error {}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** The parts of a count by status, in a fixed order: '55 published, 1 scheduled'. */
function byStatus(counts: Record<string, number>, prefix: string, statuses: Array<[string, string, string]>): string {
  return statuses
    .filter(([status]) => (counts[`${prefix} ${status}`] ?? 0) > 0)
    .map(([status, one, many]) => plural(counts[`${prefix} ${status}`]!, one, many))
    .join(', ');
}

const ARTICLE_STATUSES: Array<[string, string, string]> = [
  ['published', 'published', 'published'],
  ['scheduled', 'scheduled', 'scheduled'],
  ['draft', 'draft', 'drafts'],
  ['trash', 'in the trash', 'in the trash'],
];
const COMMENT_STATUSES: Array<[string, string, string]> = [
  ['approved', 'approved', 'approved'],
  ['pending', 'pending', 'pending'],
  ['spam', 'spam', 'spam'],
  ['trash', 'in the trash', 'in the trash'],
];
/** The kinds counted as skipped, in the summary's order, with their singular. */
const SKIPPED_KINDS: Array<[string, string]> = [
  ['pingbacks skipped', 'pingback skipped'],
  ['comments skipped', 'comment skipped'],
  ['attachments skipped', 'attachment skipped'],
  ['menu items skipped', 'menu item skipped'],
  ['pages skipped', 'page skipped'],
  ['other items skipped', 'other item skipped'],
  ['items skipped', 'item skipped'],
];

export class ImportTally {
  readonly counts: Record<string, number> = {};
  readonly skipped: ImportSummary['skipped'] = [];
  readonly problems: string[] = [];

  add(key: string, count = 1) {
    if (count !== 0) this.counts[key] = (this.counts[key] ?? 0) + count;
  }

  /** Another tally's counts, skipped items and problems added to this one. */
  merge(other: ImportTally) {
    for (const [key, count] of Object.entries(other.counts)) this.add(key, count);
    this.skipped.push(...other.skipped);
    this.problems.push(...other.problems);
  }

  skip(item: string, reason: string) {
    this.skipped.push({ item, reason });
  }

  private count(key: string): number {
    return this.counts[key] ?? 0;
  }

  summary(dryRun: boolean): ImportSummary {
    const lines: string[] = [];
    const say = (condition: boolean, line: string) => condition && lines.push(line);
    const articles = this.count('articles');
    say(true, plural(articles, 'article', 'articles') + (dryRun ? ' would be imported' : ''));
    for (const [key, one, many] of [
      ['posts', 'post', 'posts'],
      ['pages', 'page', 'pages'],
    ] as const) {
      say(this.count(key) > 0, `${plural(this.count(key), one, many)}: ${byStatus(this.counts, key, ARTICLE_STATUSES)}`);
    }
    for (const [key, one, many] of [
      ['password-protected', 'password-protected post', 'password-protected posts'],
      ['private', 'private post', 'private posts'],
    ] as const) {
      say(
        this.count(key) > 0,
        `${plural(this.count(key), one, many)} imported as ${this.count(key) === 1 ? 'a draft' : 'drafts'} (never public)`,
      );
    }
    const comments = this.count('comments');
    say(true, plural(comments, 'comment', 'comments') + (comments > 0 ? `: ${byStatus(this.counts, 'comments', COMMENT_STATUSES)}` : ''));
    say(this.count('replies') > 0, `${plural(this.count('replies'), 'reply', 'replies')} in threads`);
    say(
      this.count('pingbacks') > 0,
      `${plural(this.count('pingbacks'), 'pingback or trackback', 'pingbacks and trackbacks')} imported as comments`,
    );
    for (const [key, one] of SKIPPED_KINDS) say(this.count(key) > 0, plural(this.count(key), one, key));
    const before = (key: string, one: string, many: string) =>
      say(this.count(key) > 0, `${plural(this.count(key), one, many)} already imported`);
    before('articles already imported', 'article', 'articles');
    before('comments already imported', 'comment', 'comments');
    say(
      this.count('remote images') > 0,
      `${plural(this.count('remote images'), 'image', 'images')} still loaded from other sites (never fetched)`,
    );
    say(this.problems.length > 0, plural(this.problems.length, 'problem', 'problems') + ' (listed below)');
    return { lines, counts: { ...this.counts }, skipped: [...this.skipped], problems: [...this.problems] };
  }
}

/** The summary as the command prints it: the counts, then each skipped item and each problem. */
export function formatSummary(summary: ImportSummary): string {
  const parts = [...summary.lines];
  if (summary.skipped.length > 0) parts.push('', 'Skipped:', ...summary.skipped.map((skipped) => `  ${skipped.item}: ${skipped.reason}`));
  if (summary.problems.length > 0) parts.push('', 'Problems:', ...summary.problems.map((problem) => `  ${problem}`));
  return `${parts.join('\n')}\n`;
}
