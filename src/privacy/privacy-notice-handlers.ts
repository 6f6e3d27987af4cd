import type { Request, Response } from 'express';
import { contextOf } from '../platform/context.js';
import { rememberedDiscussionSettings } from '../platform/page-cache/index.js';
import type { PageMeta } from '../platform/rendering/models.js';
import { renderPage } from '../platform/rendering/render.js';
import { days } from './retention-rules.js';

/** The privacy notice: what is kept about commenters, why and for how long, said from the settings in force. */
export interface PrivacyNoticePageModel {
  meta: PageMeta;
  /** "60 days": how long approved and trashed comments keep their IP address and browser. */
  ipRetention: string;
  /** "7 days": how long sent mail keeps its recipient, subject and text. */
  mailRetention: string;
  /** Avatars come from Gravatar (readers' browsers ask it by a hash of the address) rather than from the site. */
  gravatar: boolean;
  /** Where a person asks for a copy of their data or its erasure. */
  requestHref: string;
}

declare module '../platform/rendering/models.js' {
  interface PageModels {
    'privacy/notice': PrivacyNoticePageModel;
  }
}

/** GET /privacy — the notice, linked from the comment form. */
export async function showPrivacyNotice(req: Request, res: Response) {
  const { db, memo } = contextOf(req);
  const settings = await rememberedDiscussionSettings(db, memo);
  await renderPage(res, 200, 'privacy/notice', {
    meta: {
      title: 'Privacy notice',
      description: 'What this site keeps about people who comment, why, and for how long.',
      canonicalPath: '/privacy',
    },
    ipRetention: days(settings.ipRetentionDays),
    mailRetention: days(settings.mailRetentionDays),
    gravatar: settings.avatarSource === 'gravatar' && settings.showAvatars,
    requestHref: '/your-data',
  });
}
