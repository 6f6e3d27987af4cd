import type { ImportProgress } from './import-summary.js';

/**
 * An import's progress on a terminal: one line, rewritten in place at most
 * a few times a second, with items done of the total, the rate and the time
 * left. Nothing is written when the stream is not a terminal (a pipe, a log).
 */

const REDRAW_MS = 200;

export interface TerminalProgress {
  update(progress: ImportProgress): void;
  /** Clears the line, so what follows starts on a clean one. */
  finish(): void;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '…';
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return minutes > 0 ? `${minutes}m ${String(whole % 60).padStart(2, '0')}s` : `${whole}s`;
}

export function progressLine(progress: ImportProgress, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (progress.done * 1000) / elapsedMs : 0;
  const rateText = `${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} items/s`;
  if (progress.total === null) return `${progress.done} items, ${rateText}`;
  const left = rate > 0 ? (progress.total - progress.done) / rate : Number.POSITIVE_INFINITY;
  const percent = progress.total > 0 ? Math.floor((progress.done * 100) / progress.total) : 100;
  return `${progress.done}/${progress.total} items (${percent}%), ${rateText}, ${duration(left)} left`;
}

export function terminalProgress(stream: NodeJS.WriteStream, now: () => number = Date.now): TerminalProgress {
  const started = now();
  let drawnAt = 0;
  let drawn = false;
  return {
    update(progress) {
      if (!stream.isTTY) return;
      const at = now();
      if (at - drawnAt < REDRAW_MS && progress.done !== progress.total) return;
      drawnAt = at;
      drawn = true;
      stream.write(`\r\x1b[2K${progressLine(progress, at - started)}`);
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
