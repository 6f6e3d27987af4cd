import type { LoadFigures } from './load.js';

export interface Measured {
  label: string;
  figures: LoadFigures;
  /** The bare servers sending the same bytes, when this row is the app's. */
  ceilings?: { http: LoadFigures; express: LoadFigures };
  /** For the Express ceiling row: the node:http one beside it. */
  httpCeiling?: LoadFigures;
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
  const cells = [header, ...rows.map(row)];
  const widths = header.map((_, column) => Math.max(...cells.map((line) => line[column]!.length)));
  const format = (line: string[]) =>
    line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [format(header), rule, ...cells.slice(1).map(format)].join('\n');
}

/** Anything that makes a row's figure untrustworthy: errors, timeouts, non-2xx answers. */
export function problemsOf(rows: Measured[]): string[] {
  return rows.flatMap(({ label, figures }) =>
    figures.non2xx + figures.errors + figures.timeouts > 0
      ? [`${label}: ${figures.non2xx} non-2xx, ${figures.errors} errors, ${figures.timeouts} timeouts`]
      : [],
  );
}
