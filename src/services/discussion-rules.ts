import type { DiscussionSettings } from './discussion-settings.js';

export type DecidedStatus = 'approved' | 'pending' | 'spam';

export interface StatusReason {
  code:
    | 'manual_approval'
    | 'too_many_links'
    | 'moderation_word'
    | 'first_time_commenter'
    | 'disallowed_word'
    | 'honeypot'
    | 'too_fast'
    | 'blocked';
  text: string;
}

export interface Decision {
  status: DecidedStatus;
  reasons: StatusReason[];
}

export interface CommentCandidate {
  authorName: string;
  authorEmail: string;
  authorUrl: string;
  body: string;
  ip: string;
  userAgent: string;
}

export interface CommenterFacts {
  /** The same name and email have an approved comment already. */
  previouslyApproved: boolean;
  honeypotFilled: boolean;
  /** Seconds between rendering the form and posting it; null when the stamp is missing or forged. */
  secondsSinceRender: number | null;
  /** A block that matches this commenter, described for the record. */
  block: string | null;
}

export const MINIMUM_SECONDS_TO_WRITE = 3;

const FIELD_LABELS: Array<[keyof CommentCandidate, string]> = [
  ['authorName', 'name'],
  ['authorEmail', 'email'],
  ['authorUrl', 'website'],
  ['body', 'text'],
  ['ip', 'IP address'],
  ['userAgent', 'user agent'],
];

/** Counts links as WordPress does: every `//` that starts a URL, with or without a scheme or href. */
export function countLinks(text: string): number {
  return (text.match(/(href\s*=\s*['"]?)?(https?:)?\/\//gi) ?? []).length;
}

/** Every (word, field) pair where a list entry occurs, case-insensitively, as a substring. */
export function findListedWords(candidate: CommentCandidate, words: readonly string[]) {
  const found: Array<{ word: string; field: string }> = [];
  for (const word of words) {
    const needle = word.toLocaleLowerCase();
    if (!needle) continue;
    for (const [key, label] of FIELD_LABELS) {
      if (candidate[key].toLocaleLowerCase().includes(needle)) found.push({ word, field: label });
    }
  }
  return found;
}

/**
 * WordPress's order: hold for manual approval, for links, for moderation
 * words, unless previously approved; then disallowed words make it spam.
 * Ours on top: blocks, the honeypot and the timing trap make it spam too.
 * Every rule that fires is recorded, not only the first.
 */
export function decideComment(
  candidate: CommentCandidate,
  settings: DiscussionSettings,
  facts: CommenterFacts,
): Decision {
  const held: StatusReason[] = [];
  if (settings.holdEveryComment) held.push({ code: 'manual_approval', text: 'held: manual approval required' });

  const links = countLinks(candidate.body);
  if (settings.holdAtLinkCount > 0 && links >= settings.holdAtLinkCount) {
    held.push({ code: 'too_many_links', text: `held: ${links} link${links === 1 ? '' : 's'}, limit ${settings.holdAtLinkCount}` });
  }
  for (const { word, field } of findListedWords(candidate, settings.moderationWords)) {
    held.push({ code: 'moderation_word', text: `held: moderation word "${word}" in ${field}` });
  }
  // As in WordPress, with this option off a comment that passed the checks above is approved.
  if (held.length === 0 && settings.autoApprovePreviouslyApproved && !facts.previouslyApproved) {
    held.push({ code: 'first_time_commenter', text: 'held: no earlier approved comment from this name and email' });
  }

  const spam: StatusReason[] = [];
  if (facts.block) spam.push({ code: 'blocked', text: `spam: blocked ${facts.block}` });
  for (const { word, field } of findListedWords(candidate, settings.disallowedWords)) {
    spam.push({ code: 'disallowed_word', text: `spam: disallowed word "${word}" in ${field}` });
  }
  if (facts.honeypotFilled) spam.push({ code: 'honeypot', text: 'spam: the hidden trap field was filled in' });
  if (facts.secondsSinceRender === null) {
    spam.push({ code: 'too_fast', text: 'spam: the form’s time stamp was missing or altered' });
  } else if (facts.secondsSinceRender < MINIMUM_SECONDS_TO_WRITE) {
    spam.push({
      code: 'too_fast',
      text: `spam: posted ${facts.secondsSinceRender.toFixed(1)} s after the form was shown (minimum ${MINIMUM_SECONDS_TO_WRITE} s)`,
    });
  }

  if (spam.length > 0) return { status: 'spam', reasons: [...spam, ...held] };
  if (held.length > 0) return { status: 'pending', reasons: held };
  return { status: 'approved', reasons: [] };
}
