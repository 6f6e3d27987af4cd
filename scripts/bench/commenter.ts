import { MINIMUM_SECONDS_TO_WRITE } from '../../src/comments/discussion-rules.js';
import { readCommentForm } from '../lib/comment-form.js';
import type { BenchClient } from './http-client.js';

/**
 * A commenter as a browser behaves: loads the article, reads the comment
 * form's fields (hidden ones included), and waits as a person would before posting.
 */

export interface RenderedForm {
  action: string;
  /** Every field the form would submit as rendered; the honeypot stays empty. */
  fields: Record<string, string>;
  /** When the page was loaded (Date.now()), for the form's time stamp. */
  loadedAt: number;
}

export async function loadCommentForm(client: BenchClient, articlePath: string): Promise<RenderedForm> {
  const answer = await client.get(articlePath);
  if (answer.status !== 200) throw new Error(`GET ${articlePath} answered ${answer.status}`);
  const form = readCommentForm(answer.body);
  if (!form) throw new Error(`${articlePath} has no comment form (#commentform)`);
  return { ...form, loadedAt: Date.now() };
}

/** Waits until the form's time stamp is old enough that no timing trap takes the post for a bot. */
export async function waitLikeAPerson(form: RenderedForm): Promise<void> {
  const readyAt = form.loadedAt + MINIMUM_SECONDS_TO_WRITE * 1000 + 300;
  const wait = readyAt - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
