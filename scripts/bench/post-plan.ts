import { randomUUID } from 'node:crypto';
import { BENCH_EMAIL_DOMAIN } from './comments.js';

/**
 * The comments the POST row sends, one different commenter each: a unique
 * submission id, email and text (the duplicate rule), and a client address
 * of its own (the flood limit counts per IP and per email). Kept apart from
 * the load child so the bench can clean up after exactly these commenters.
 */

/** Comment posts as a browser sends the rendered form. */
export interface CommentPostPlan {
  /** The form's fields as rendered (hidden ones included, honeypot empty); shared by every post. */
  fields: Record<string, string>;
  /** Put into every text, so the rows stored can be counted afterwards. */
  marker: string;
}

const SENTENCES = [
  'The procurement figures deserve a closer look than the communiqué.',
  'Energy contracts are where the real commitments get made.',
  'I would like to read more about the smaller neighbours.',
  'The trade numbers tell a more careful story than the headline.',
];

/** Post number `n` (from 1) comes from 10.0.0.n onwards: 16 million addresses before one repeats. */
export const clientAddress = (n: number) => `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

export const posterEmail = (marker: string, n: number) => `poster-${marker}-${n}@${BENCH_EMAIL_DOMAIN}`;

/** What every stored text of this plan contains, for counting rows with LIKE. */
export const markerInText = (marker: string) => `(${marker} #`;

export function commentPostBody(plan: CommentPostPlan, n: number): string {
  return new URLSearchParams({
    ...plan.fields,
    submission_id: randomUUID(),
    author: `Load Poster ${n}`,
    email: posterEmail(plan.marker, n),
    url: '',
    comment: `${SENTENCES[n % SENTENCES.length]} ${markerInText(plan.marker)}${n})`,
  }).toString();
}
