import type { Database } from '../../src/platform/db/connection.js';
import type { Outage, Tally } from './tally.js';

export const MAX_RECOVERY_SECONDS = 5;

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

export interface Findings {
  verdicts: Verdict[];
  notes: string[];
}

/** Compares what the commenters were told with what the database holds. */
export function judge(tally: Tally, stored: StoredRows, outage: Outage, appRestarts: number): Findings {
  const accepted = tally.accepted.size;
  // Lost: a 303 named a comment that is not stored under that submission.
  const lost = [...tally.accepted].filter(([submission, id]) => !stored.bySubmission.get(submission)?.includes(id)).length;
  // Doubled: a second row for one submission, or a row nobody was told was stored.
  let doubled = 0;
  for (const [submission, ids] of stored.bySubmission) {
    doubled += tally.accepted.has(submission) ? ids.length - 1 : ids.length;
  }
  const errors = tally.errors(outage);
  const recovery = tally.recoverySeconds(outage);
  const verdicts: Verdict[] = [
    { label: 'accepted (303)', value: String(accepted), bar: '> 0', pass: accepted > 0 },
    { label: 'rows stored', value: String(stored.total), bar: `= accepted`, pass: stored.total === accepted },
    { label: 'lost (accepted, not stored)', value: String(lost), bar: '0', pass: lost === 0 },
    { label: 'doubled (extra rows)', value: String(doubled), bar: '0', pass: doubled === 0 },
    { label: 'non-503 errors', value: String(errors.count), bar: '0', pass: errors.count === 0 },
    {
      label: 'restart → first 303',
      value: recovery === undefined ? 'never' : `${recovery.toFixed(1)} s`,
      bar: `≤ ${MAX_RECOVERY_SECONDS} s`,
      pass: recovery !== undefined && recovery <= MAX_RECOVERY_SECONDS,
    },
    {
      // One quick success proves little if most requests still fail: after
      // the recovery time, nothing may answer 503 any more.
      label: `503s sent > ${MAX_RECOVERY_SECONDS} s after restart`,
      value: String(tally.late503s(outage, MAX_RECOVERY_SECONDS)),
      bar: '0',
      pass: tally.late503s(outage, MAX_RECOVERY_SECONDS) === 0,
    },
    { label: 'app restarts', value: String(appRestarts), bar: '0', pass: appRestarts === 0 },
  ];
  const { duringOutage } = tally.networkFailures(outage);
  const startUp =
    outage.readyAt !== undefined && outage.restartedAt !== undefined ? (outage.readyAt - outage.restartedAt) / 1000 : undefined;
  const notes = [
    `restart times are counted from the moment the restarted PostgreSQL answered; its own start-up (crash recovery) took ${startUp === undefined ? '?' : `${startUp.toFixed(1)} s`} before that`,
    `submissions ${tally.submissions}, page loads ${tally.pagesLoaded}, 503 answers to posts ${tally.answers503}, resends ${tally.retries}, given up after every resend failed ${tally.gaveUp}`,
    `refused/reset/timed-out requests while the database was down (expected): ${duringOutage.length}`,
    `stored rows by status: ${
      Object.entries(stored.byStatus)
        .map(([status, count]) => `${status} ${count}`)
        .join(', ') || 'none'
    }`,
    ...[...errors.kinds].map(([kind, count]) => `error ${count} × ${kind}`),
  ];
  return { verdicts, notes };
}

/** A plain-text table, one row per figure, with PASS or FAIL. */
export function formatVerdicts(verdicts: Verdict[]): string {
  const cells = [['figure', 'measured', 'bar', 'result'], ...verdicts.map((v) => [v.label, v.value, v.bar, v.pass ? 'PASS' : 'FAIL'])];
  const widths = cells[0]!.map((_, column) => Math.max(...cells.map((line) => line[column]!.length)));
  const line = (row: string[]) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(cells[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
