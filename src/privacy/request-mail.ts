import type { Database } from '../platform/db/connection.js';
import { enqueueMail } from '../mail/index.js';
import { CONFIRMATION_LIFETIME_MS, newConfirmationToken, type RequestKind } from './privacy-requests.js';
import { insertRequest } from './request-queries.js';

/** Starting a request: its row, and the mail with the link that confirms it, through the outbox like all mail. */

export const CONFIRM_PATH = '/your-data/confirm';

export interface NewRequest {
  email: string;
  kind: RequestKind;
  /** The administrator who started it; null when the person asked at /your-data. */
  requestedBy: string | null;
}

function confirmationMail(kind: RequestKind, link: string, byAdministrator: boolean): { subject: string; body: string } {
  const what = kind === 'export' ? 'a copy of the personal data' : 'the erasure of the personal data';
  const after =
    kind === 'export'
      ? 'Once you confirm, the site’s administrator prepares the copy and sends it to you.'
      : 'Once you confirm, the site’s administrator erases it: your name, e-mail address, website and IP address leave your comments, and your subscriptions and mail are removed.';
  return {
    subject: kind === 'export' ? 'Confirm your request for your data' : 'Confirm your request to erase your data',
    body: [
      `${byAdministrator ? 'The site’s administrator started' : 'Someone asked for'} ${what} this site keeps about this e-mail address (comments, subscriptions and mail).`,
      '',
      'To confirm that it was you, open this link within 7 days. It works once:',
      link,
      '',
      after,
      '',
      'If you did not ask for this, ignore this mail: nothing happens.',
    ].join('\n'),
  };
}

/** Stores the request and queues its confirmation mail, in one transaction; returns the request's id. */
export async function startRequest(db: Database, setting: { secret: string; baseUrl: string }, request: NewRequest, now: Date) {
  const { token, hash } = newConfirmationToken(setting.secret);
  const link = new URL(`${CONFIRM_PATH}?token=${encodeURIComponent(token)}`, setting.baseUrl).toString();
  return db.transaction(async (trx) => {
    const id = await insertRequest(trx, {
      email: request.email,
      kind: request.kind,
      tokenHash: hash,
      expiresAt: new Date(now.getTime() + CONFIRMATION_LIFETIME_MS),
      requestedBy: request.requestedBy,
      at: now,
    });
    const mail = confirmationMail(request.kind, link, request.requestedBy !== null);
    await enqueueMail(trx, { dedupe_key: `privacy-request:${id}`, kind: 'privacy-request', recipient: request.email, ...mail });
    return id;
  });
}
