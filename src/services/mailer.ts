import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingMail {
  /** Stable per mail, so a resend after a crash overwrites rather than duplicates. */
  id: string;
  to: string;
  subject: string;
  text: string;
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

/** SMTP when SMTP_URL is set; otherwise each mail becomes an .eml file in DATA_DIR/outbox/. */
export function createMailer(options: MailerOptions): Mailer {
  const toFile = !options.smtpUrl;
  const transport: Transporter = toFile
    ? nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
    : nodemailer.createTransport(options.smtpUrl);
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId: `<outbox-${mail.id}@${options.messageIdDomain}>`,
      });
      if (!toFile) return;
      await mkdir(options.outboxDir, { recursive: true });
      const file = path.join(options.outboxDir, `${mail.id.padStart(8, '0')}.eml`);
      // Written whole, then renamed: a reader never sees half a mail.
      await writeFile(`${file}.tmp`, info.message as Buffer);
      await rename(`${file}.tmp`, file);
    },
    close: () => transport.close(),
  };
}
