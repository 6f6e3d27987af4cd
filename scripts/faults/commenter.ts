import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { readCommentForm } from '../lib/comment-form.js';
import { NetworkError, send, type HttpAnswer } from './http.js';
import type { Tally } from './tally.js';

/** The signed time stamp marks faster posts as bot spam; people take a little longer. */
const THINKING_MS = 3000;
const THINKING_SPREAD_MS = 1000;
/** Pressing submit again after a failure: 1 s, 2 s, 3 s, then every 4 s. */
const ATTEMPTS = 8;
const backOffMs = (attempt: number) => Math.min(attempt, 4) * 1000 + Math.random() * 250;
const REQUEST_TIMEOUT_MS = 20_000;
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) BroadsheetFaults/1.0';

export interface Commenting {
  base: string;
  articlePath: string;
  /** Starts every comment's text, so that this run's rows can be found. */
  marker: string;
  endAt: number;
  tally: Tally;
  /** A number unique to each submission in this run. */
  nextSubmission(): number;
}

/** A fresh address per submission, so the per-IP flood rule never refuses one. */
function addressFor(submission: number): string {
  return `10.${(submission >> 16) & 255}.${(submission >> 8) & 255}.${submission & 255}`;
}

/** A request; a 503 answer is noted with when it was sent and answered, a network failure with its time span. */
async function attempt(run: Commenting, what: 'GET' | 'POST', request: () => Promise<HttpAnswer>): Promise<HttpAnswer | undefined> {
  const startedAt = Date.now();
  try {
    const answer = await request();
    if (answer.status === 503) run.tally.unavailable(startedAt, Date.now(), what);
    return answer;
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    run.tally.networkFailure({ startedAt, endedAt: Date.now(), code: error.code, what });
    return undefined;
  }
}

/** GETs the article page until it shows the form (waiting out 503s); undefined once time is up. */
async function loadForm(run: Commenting): Promise<Record<string, string> | undefined> {
  while (Date.now() < run.endAt) {
    const page = await attempt(run, 'GET', () =>
      send(`${run.base}${run.articlePath}`, { headers: { 'user-agent': USER_AGENT }, timeoutMs: REQUEST_TIMEOUT_MS }),
    );
    if (page?.status === 200) {
      const fields = readCommentForm(page.body)?.fields;
      if (fields?.submission_id) {
        run.tally.pagesLoaded += 1;
        return fields;
      }
      run.tally.wrongAnswer('GET article: 200 without a comment form carrying a submission_id');
    } else if (page && page.status !== 503) {
      run.tally.wrongAnswer(`GET article answered ${page.status}`);
    }
    await sleep(1000);
  }
  return undefined;
}

/** POSTs one comment as a person would, sending the same submission again after a 503 or a failed request. */
async function submit(run: Commenting, form: Record<string, string>, commenter: number): Promise<void> {
  const number = run.nextSubmission();
  const typed = {
    author: `Commenter ${commenter}`,
    email: `commenter-${number}@faults.example`,
    url: '',
    comment: `${run.marker} #${number} ${randomUUID()}`,
  };
  const body = new URLSearchParams({ ...form, ...typed }).toString();
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    origin: run.base,
    'user-agent': USER_AGENT,
    'x-forwarded-for': addressFor(number),
  };
  const submissionId = form.submission_id!;
  run.tally.submissions += 1;
  run.tally.inFlight += 1;
  try {
    for (let tries = 1; ; tries++) {
      const answer = await attempt(run, 'POST', () =>
        send(`${run.base}${run.articlePath}/comments`, { method: 'POST', headers, body, timeoutMs: REQUEST_TIMEOUT_MS }),
      );
      if (answer?.status === 303) {
        const commentId = /#comment-(\d+)$/.exec(String(answer.headers.location ?? ''))?.[1];
        if (commentId) run.tally.accept(submissionId, commentId, Date.now());
        else run.tally.wrongAnswer(`POST comment: 303 to ${answer.headers.location} (no #comment-<id>)`);
        return;
      }
      if (answer?.status === 503) {
        const kept = readCommentForm(answer.body)?.fields;
        if (kept?.submission_id !== submissionId || kept.comment !== typed.comment) {
          run.tally.wrongAnswer('POST comment: 503 without the typed comment and its submission_id');
        }
      } else if (answer) {
        run.tally.wrongAnswer(`POST comment answered ${answer.status}`);
        return;
      }
      if (tries === ATTEMPTS) {
        run.tally.gaveUp += 1;
        return;
      }
      run.tally.retries += 1;
      await sleep(backOffMs(tries));
    }
  } finally {
    run.tally.inFlight -= 1;
  }
}

/** One commenter: read the page, think, post; again and again until time is up. */
export async function runCommenter(run: Commenting, commenter: number): Promise<void> {
  // Spread the first page loads over the thinking time, as arrivals would be.
  await sleep(Math.random() * THINKING_MS);
  while (Date.now() < run.endAt) {
    const form = await loadForm(run);
    if (!form) return;
    await sleep(THINKING_MS + Math.random() * THINKING_SPREAD_MS);
    await submit(run, form, commenter);
  }
}
