import type { Database } from '../platform/db/connection.js';
import type { Logger } from '../platform/logger.js';
import { commenterStillWants } from './notification-queries.js';
import { claimDueMails, discardMail, markMailFailed, markMailsSent } from './outbox-queries.js';
import type { Mailer } from './mailer.js';
import { askingCommentOf } from './notifications.js';

export const MAX_ATTEMPTS = 8;
const LEASE_SECONDS = 120;
const BATCH_SIZE = 20;

/** 1 min, 4 min, 16 min … capped at 6 h. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(60 * 4 ** Math.max(0, attempts - 1), 6 * 60 * 60);
}

/**
 * Sends one batch of what is due; returns how many mails were sent. The
 * mails sent are marked in one statement at the end of the batch: should
 * the process die before that, their leases run out and they are sent
 * again (mail is delivered at least once, never lost).
 */
export async function deliverDueMail(db: Database, mailer: Mailer, logger?: Logger): Promise<number> {
  const sent: string[] = [];
  for (const mail of await claimDueMails(db, BATCH_SIZE, LEASE_SECONDS)) {
    try {
      // Mail to a commenter is asked again at send time: an unsubscribe also stops mail queued before it.
      if (askingCommentOf(mail) && !(await commenterStillWants(db, mail))) {
        await discardMail(db, mail.id);
        continue;
      }
      await mailer.send({
        id: mail.id,
        to: mail.recipient,
        subject: mail.subject,
        text: mail.body,
        listUnsubscribe: mail.list_unsubscribe,
      });
      sent.push(mail.id);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retry = mail.attempts >= MAX_ATTEMPTS ? null : retryDelaySeconds(mail.attempts);
      logger?.warn({ mailId: mail.id, attempts: mail.attempts, retryInSeconds: retry, err: message }, 'mail not sent');
      await markMailFailed(db, mail.id, message, retry);
    }
  }
  await markMailsSent(db, sent);
  return sent.length;
}

/** Polls the outbox every few seconds; one per app process. */
export function startOutboxWorker(db: Database, mailer: Mailer, logger: Logger, intervalMs = 5000) {
  let running = false;
  let stopping = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      // Batch after batch while there is mail, but a stopping process only finishes the batch in hand.
      while (!stopping && (await deliverDueMail(db, mailer, logger)) > 0);
    } catch (error) {
      logger.warn({ err: error }, 'outbox worker could not reach the database');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return {
    async stop() {
      stopping = true;
      clearInterval(timer);
      while (running) await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
}
