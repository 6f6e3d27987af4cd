import type { Database } from '../../src/platform/db/connection.js';
import type { Outage, Tally } from './tally.js';

/**
 * Times are printed as measured and fail only past this: a busy two-core CI
 * machine must not flake the run (the app's own goals are about 3 s to the
 * first 503 and about 5 s to recover).
 */
export const CEILING_SECONDS = 30;
/** The stop's own deadline is 10 s; past this it did not keep to it. */
export const STOP_CEILING_SECONDS = 15;
const NO_TEXT = 'POST comment: 503 without the typed comment and its submission_id';

export interface StoredRows {
  /** submission id (or '' for none) → ids of the rows stored under it. */
  bySubmission: Map<string, string[]>;
  total: number;
  byStatus: Record<string, number>;
}

/** This run's comments, found by the marker their text starts with. */
export async function countStoredRows(db: Database, marker: string): Promise<StoredRows> {
  const rows = await db('comments')
    .select<{ id: string; submission_id: string | null; status: string }[]>('id', 'submission_id', 'status')
    .whereLike('body', `${marker.replace(/[\\%_]/g, '\\$&')}%`);
  const bySubmission = new Map<string, string[]>();
  const byStatus: Record<string, number> = {};
  for (const row of rows) {
    const key = row.submission_id ?? '';
    bySubmission.set(key, [...(bySubmission.get(key) ?? []), String(row.id)]);
    byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
  }
  return { bySubmission, total: rows.length, byStatus };
}

export interface Verdict {
  label: string;
  value: string;
  bar: string;
  pass: boolean;
}

/** How a shape's run went, one line of the summary table. */
export interface Summary {
  shape: string;
  firstUnavailable: string;
  recovery: string;
  accepted: number;
  lost: number;
  doubled: number;
  ghosts: number;
  errors: number;
  withoutText: number;
  pass: boolean;
}

export interface Findings {
  verdicts: Verdict[];
  notes: string[];
  summary: Summary;
}

/** What the stop measured, for the shape that sends SIGTERM. */
export interface StopMeasure {
  seconds: number;
  exit: string;
}

const seconds = (value: number | undefined) => (value === undefined ? 'never' : `${value.toFixed(1)} s`);
const within = (value: number | undefined, ceiling: number) => value !== undefined && value <= ceiling;

/** Compares what the commenters were told with what the database holds. */
export function judge(shape: string, tally: Tally, stored: StoredRows, outage: Outage, appRestarts: number, stop?: StopMeasure): Findings {
  const accepted = tally.accepted.size;
  // Lost: a 303 named a comment that is not stored under that submission.
  const lost = [...tally.accepted].filter(([submission, id]) => !stored.bySubmission.get(submission)?.includes(id)).length;
  // Doubled: a second row for one acknowledged submission. Ghost: a row nobody was ever told was stored.
  let doubled = 0;
  let ghosts = 0;
  for (const [submission, ids] of stored.bySubmission) {
    if (tally.accepted.has(submission)) doubled += ids.length - 1;
    else ghosts += ids.length;
  }
  const errors = tally.errors(outage);
  const withoutText = tally.wrongAnswers.filter((answer) => answer === NO_TEXT).length;
  const firstUnavailable = tally.firstUnavailableSeconds(outage);
  const recovery = tally.recoverySeconds(outage);
  const late = tally.late503s(outage, CEILING_SECONDS);
  const verdicts: Verdict[] = [
    { label: 'accepted (303)', value: String(accepted), bar: '> 0', pass: accepted > 0 },
    { label: 'lost (accepted, not stored)', value: String(lost), bar: '0', pass: lost === 0 },
    { label: 'doubled (extra rows)', value: String(doubled), bar: '0', pass: doubled === 0 },
    { label: 'ghosts (stored, never acknowledged)', value: String(ghosts), bar: '0', pass: ghosts === 0 },
    {
      label: 'errors (5xx but 503, other answers)',
      value: String(errors.count - withoutText),
      bar: '0',
      pass: errors.count === withoutText,
    },
    { label: '503s to a post without its text', value: String(withoutText), bar: '0', pass: withoutText === 0 },
    {
      label: 'fault → first 503',
      value: seconds(firstUnavailable),
      bar: `≤ ${CEILING_SECONDS} s`,
      pass: within(firstUnavailable, CEILING_SECONDS),
    },
    { label: 'cleared → first 303', value: seconds(recovery), bar: `≤ ${CEILING_SECONDS} s`, pass: within(recovery, CEILING_SECONDS) },
    { label: `503s sent > ${CEILING_SECONDS} s after clearing`, value: String(late), bar: '0', pass: late === 0 },
    { label: 'app exits of its own', value: String(appRestarts), bar: '0', pass: appRestarts === 0 },
  ];
  if (stop) {
    verdicts.push({
      label: `SIGTERM → exit (${stop.exit})`,
      value: seconds(stop.seconds),
      bar: `≤ ${STOP_CEILING_SECONDS} s, not killed`,
      pass: stop.seconds <= STOP_CEILING_SECONDS && !stop.exit.includes('SIGKILL'),
    });
  }
  const { duringOutage } = tally.networkFailures(outage);
  const notes = [
    `submissions ${tally.submissions}, page loads ${tally.pagesLoaded}, 503 answers to posts ${tally.answers503}, resends ${tally.retries}, given up after every resend failed ${tally.gaveUp}`,
    `refused/reset/timed-out requests during the fault (expected): ${duringOutage.length}`,
    `stored rows by status: ${
      Object.entries(stored.byStatus)
        .map(([status, count]) => `${status} ${count}`)
        .join(', ') || 'none'
    }`,
    ...[...errors.kinds].map(([kind, count]) => `error ${count} × ${kind}`),
  ];
  const pass = verdicts.every((verdict) => verdict.pass);
  const summary: Summary = {
    shape,
    firstUnavailable: seconds(firstUnavailable),
    recovery: seconds(recovery),
    accepted,
    lost,
    doubled,
    ghosts,
    errors: errors.count - withoutText,
    withoutText,
    pass,
  };
  return { verdicts, notes, summary };
}

/** A plain-text table, first column left-aligned, the others right-aligned. */
function formatTable(cells: string[][]): string {
  const widths = cells[0]!.map((_, column) => Math.max(...cells.map((line) => line[column]!.length)));
  const line = (row: string[]) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(cells[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** One row per figure, with PASS or FAIL. */
export function formatVerdicts(verdicts: Verdict[]): string {
  return formatTable([
    ['figure', 'measured', 'bar', 'result'],
    ...verdicts.map((v) => [v.label, v.value, v.bar, v.pass ? 'PASS' : 'FAIL']),
  ]);
}

/** One row per shape: the table docs/operations.md shows. */
export function formatSummary(summaries: Summary[]): string {
  return formatTable([
    ['shape', 'fault → 503', 'cleared → 303', 'accepted', 'lost', 'doubled', 'ghosts', 'errors', '503 w/o text', 'result'],
    ...summaries.map((s) => [
      s.shape,
      s.firstUnavailable,
      s.recovery,
      String(s.accepted),
      String(s.lost),
      String(s.doubled),
      String(s.ghosts),
      String(s.errors),
      String(s.withoutText),
      s.pass ? 'PASS' : 'FAIL',
    ]),
  ]);
}
