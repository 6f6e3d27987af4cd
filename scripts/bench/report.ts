import type { LoadFigures } from './load.js';

export interface Measured {
  label: string;
  figures: LoadFigures;
  /** The bare servers sending the same bytes, when this row is the app's. */
  ceilings?: { http: LoadFigures; express: LoadFigures };
  /** For the Express ceiling row: the node:http one beside it. */
  httpCeiling?: LoadFigures;
  /** The status every answer should have; 200 when left out. */
  expectedStatus?: number;
}

const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const percent = (part: number, of: number) => (of > 0 ? `${((part / of) * 100).toFixed(1)} %` : 'n/a');

function row(measured: Measured): string[] {
  const { figures, ceilings, httpCeiling } = measured;
  const versusHttp = ceilings
    ? percent(figures.requestsPerSecond, ceilings.http.requestsPerSecond)
    : httpCeiling
      ? percent(figures.requestsPerSecond, httpCeiling.requestsPerSecond)
      : '—';
  const versusExpress = ceilings ? percent(figures.requestsPerSecond, ceilings.express.requestsPerSecond) : '—';
  return [
    measured.label,
    whole.format(figures.requestsPerSecond),
    `${figures.latencyP50} ms`,
    `${figures.latencyP99} ms`,
    whole.format(figures.bytesPerResponse),
    versusHttp,
    versusExpress,
  ];
}

/** A plain-text table, numbers right-aligned. */
export function formatTable(rows: Measured[]): string {
  const header = ['target', 'req/s', 'p50', 'p99', 'bytes/resp', 'vs node:http', 'vs Express'];
  return tableLines(header, rows.map(row), (column) => column > 0).join('\n');
}

/** A header, a rule under it, then the rows, each column as wide as its widest cell. */
export function tableLines(header: string[], rows: string[][], rightAligned: (column: number) => boolean = () => false): string[] {
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((line) => line[column]!.length)));
  const format = (line: string[]) =>
    line
      .map((cell, column) => (rightAligned(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(format)];
}

/** Each row whose figure is untrustworthy: answers other than the row expects, errors, timeouts. */
export function problemsOf(rows: Measured[]): string[] {
  return rows.flatMap(({ label, figures, expectedStatus }) => {
    const trouble = troubleOf(figures, expectedStatus);
    return trouble ? [`${label}: ${trouble}`] : [];
  });
}

/** Trouble that makes a load figure untrustworthy, or '' when there is none. */
export function troubleOf(figures: LoadFigures, expectedStatus = 200): string {
  const unexpected = Object.entries(figures.statusCodes)
    .filter(([code]) => Number(code) !== expectedStatus)
    .map(([code, count]) => `${whole.format(count)} × ${code}`);
  const problems = [
    figures.responses === 0 ? 'no answer at all within the run' : '',
    ...unexpected,
    figures.errors > 0 ? `${whole.format(figures.errors)} errors` : '',
    figures.timeouts > 0 ? `${whole.format(figures.timeouts)} timeouts` : '',
  ].filter(Boolean);
  return problems.join(', ');
}
