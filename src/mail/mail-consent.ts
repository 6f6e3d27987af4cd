/**
 * Whether a commenter still wants a mail they once asked for. An unsubscribe
 * (from everything, or from the conversation the mail is about) stops it,
 * unless the comment whose box asked for the mail was posted after the
 * unsubscribe: a later explicit opt-in wins, as WordPress/Jetpack treat a
 * ticked "notify me" box. Older comments stay unsubscribed.
 */

export interface ConsentFacts {
  /** The latest unsubscribe that covers this mail (everything, or its conversation), if any. */
  unsubscribedAt: Date | null;
  /** When the recipient posted the comment whose ticked box asked for this mail; null if it is gone or the box is not ticked. */
  askedAt: Date | null;
}

export type Consent = 'subscribed' | 'resubscribed' | 'unsubscribed';

export function consentFor(facts: ConsentFacts): Consent {
  if (!facts.unsubscribedAt) return 'subscribed';
  if (facts.askedAt && facts.askedAt.getTime() > facts.unsubscribedAt.getTime()) return 'resubscribed';
  return 'unsubscribed';
}
