import { countLinks } from './discussion-links.js';
import type { DiscussionSettings } from '../settings/index.js';
import { findWordsInFields, type FieldText, type ListedWord } from './discussion-word-lists.js';

export { countLinks };

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
  /** The browser holds saved details (the remember-me cookies) naming this very name and email. */
  savedDetails?: boolean;
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

const fieldsOf = (candidate: CommentCandidate): FieldText[] => FIELD_LABELS.map(([key, label]) => ({ label, text: candidate[key] }));

/** Every (word, field) pair where a list entry occurs, case-insensitively, as a substring. */
export function findListedWords(candidate: CommentCandidate, words: readonly string[]): ListedWord[] {
  return findWordsInFields(fieldsOf(candidate), [words])[0]!;
}

/** Why a form that came back too soon (or with no good time stamp) was held. */
function tooFastReason(secondsSinceRender: number | null): StatusReason | null {
  if (secondsSinceRender === null) return { code: 'too_fast', text: 'held: the form’s time stamp was missing or altered' };
  if (secondsSinceRender >= MINIMUM_SECONDS_TO_WRITE) return null;
  return {
    code: 'too_fast',
    text: `held: posted ${secondsSinceRender.toFixed(1)} s after the form was shown (minimum ${MINIMUM_SECONDS_TO_WRITE} s)`,
  };
}

/**
 * WordPress's order: hold for manual approval, for links, for moderation
 * words, unless previously approved; then disallowed words make it spam.
 * Ours on top: blocks and the honeypot make it spam too. A form sent back
 * implausibly fast is held for a person to look at, never called spam: a
 * quick human is no bot, and one whose browser saved their details or who
 * has an approved comment already goes through the rules above alone.
 * Every rule that fires is recorded, not only the first. Each field is
 * scanned once for the words of both lists.
 */
export function decideComment(candidate: CommentCandidate, settings: DiscussionSettings, facts: CommenterFacts): Decision {
  const [moderationWords, disallowedWords] = findWordsInFields(fieldsOf(candidate), [settings.moderationWords, settings.disallowedWords]);
  const held: StatusReason[] = [];
  if (settings.holdEveryComment) held.push({ code: 'manual_approval', text: 'held: manual approval required' });

  const links = countLinks(candidate.body);
  if (settings.holdAtLinkCount > 0 && links >= settings.holdAtLinkCount) {
    held.push({ code: 'too_many_links', text: `held: ${links} link${links === 1 ? '' : 's'}, limit ${settings.holdAtLinkCount}` });
  }
  for (const { word, field } of moderationWords!) {
    held.push({ code: 'moderation_word', text: `held: moderation word "${word}" in ${field}` });
  }
  // As in WordPress, with this option off a comment that passed the checks above is approved.
  if (held.length === 0 && settings.autoApprovePreviouslyApproved && !facts.previouslyApproved) {
    held.push({ code: 'first_time_commenter', text: 'held: no earlier approved comment from this name and email' });
  }
  const tooFast = facts.previouslyApproved || facts.savedDetails ? null : tooFastReason(facts.secondsSinceRender);
  if (tooFast) held.push(tooFast);

  const spam: StatusReason[] = [];
  if (facts.block) spam.push({ code: 'blocked', text: `spam: blocked ${facts.block}` });
  for (const { word, field } of disallowedWords!) {
    spam.push({ code: 'disallowed_word', text: `spam: disallowed word "${word}" in ${field}` });
  }
  if (facts.honeypotFilled) spam.push({ code: 'honeypot', text: 'spam: the hidden trap field was filled in' });

  if (spam.length > 0) return { status: 'spam', reasons: [...spam, ...held] };
  if (held.length > 0) return { status: 'pending', reasons: held };
  return { status: 'approved', reasons: [] };
}
