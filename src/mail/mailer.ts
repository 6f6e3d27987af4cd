import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingMail {
  /** Stable per mail, so a resend after a crash overwrites rather than duplicates. */
  id: string;
  to: string;
  subject: string;
  text: string;
  /** The https link that unsubscribes the recipient in one POST (RFC 8058); mail to staff has none. */
  listUnsubscribe?: string | null;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  smtpUrl?: string;
  outboxDir: string;
  from: string;
  messageIdDomain: string;
}

/**
 * One bare address, nothing nodemailer could read as a display name, a group
 * or a second recipient. Addresses are checked where they are typed; this is
 * the last look before they become a header and an SMTP envelope.
 */
const ONE_PLAIN_ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/;

/** A link that can become a header as it is: http(s), printable, no spaces or angle brackets. */
const HEADER_SAFE_LINK = /^https?:\/\/[\x21-\x3b\x3d\x3f-\x7e]+$/;

/**
 * List-Unsubscribe with only the web link (there is no mailbox that would
 * act on an unsubscribe mail), and List-Unsubscribe-Post so a mail program
 * can unsubscribe with one POST to it, without opening a page.
 */
function listHeaders(link: string | null | undefined) {
  if (!link) return {};
  if (!HEADER_SAFE_LINK.test(link)) throw new Error('mail not sent: its unsubscribe link is not a plain http(s) address');
  return { list: { unsubscribe: link }, headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } };
}

/** Mail servers quote the recipient when they refuse one: the message is logged, the address must not be. */
function withoutAddresses(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const safe = new Error(message.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '[address]'));
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') Object.assign(safe, { code });
  return safe;
}

/** The outbox file of a mail: its id, padded (`00000042.eml`). */
export function mailFileName(outboxId: string): string {
  return `${outboxId.padStart(8, '0')}.eml`;
}

/** SMTP when SMTP_URL is set; otherwise each mail becomes an .eml file in DATA_DIR/outbox/. */
export function createMailer(options: MailerOptions): Mailer {
  const toFile = !options.smtpUrl;
  const transport: Transporter = toFile
    ? nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
    : nodemailer.createTransport(options.smtpUrl);
  return {
    async send(mail) {
      if (!ONE_PLAIN_ADDRESS.test(mail.to)) throw new Error(`mail ${mail.id} not sent: its recipient is not one plain address`);
      let info;
      try {
        info = await transport.sendMail({
          from: options.from,
          to: mail.to,
          subject: mail.subject.replace(/[\r\n\u0085\u2028\u2029]+/g, ' '),
          text: mail.text,
          messageId: `<outbox-${mail.id}@${options.messageIdDomain}>`,
          ...listHeaders(mail.listUnsubscribe),
        });
      } catch (error) {
        throw withoutAddresses(error);
      }
      if (!toFile) return;
      await mkdir(options.outboxDir, { recursive: true });
      const file = path.join(options.outboxDir, mailFileName(mail.id));
      // Written whole, then renamed: a reader never sees half a mail.
      await writeFile(`${file}.tmp`, info.message as Buffer);
      await rename(`${file}.tmp`, file);
    },
    close: () => transport.close(),
  };
}
