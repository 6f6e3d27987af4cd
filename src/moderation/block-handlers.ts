import type { Request, Response } from 'express';
import { z } from 'zod';
import { contextOf } from '../platform/context.js';
import { HttpError } from '../platform/http-error.js';
import { HASHED_BLOCK_LABEL } from './block-hash.js';
import { blockCommenter, deleteBlock, listActiveBlocks, type ListedBlock } from './block-queries.js';
import { findCommenter } from './comment-lookup-queries.js';
import type { BlockModel } from './admin-models.js';
import { namedDateFormatsIn } from '../platform/rendering/format.js';
import { rememberedDiscussionSettings } from '../platform/page-cache/index.js';
import { renderPage } from '../platform/rendering/render.js';
import {
  BLOCK_DURATIONS,
  BLOCK_KIND_LABELS,
  BLOCK_KINDS,
  BLOCK_NOTE_MAX,
  blockedReason,
  blockExpiry,
  blockValueFor,
  describeBlock,
  describeBlocking,
} from './commenter-blocks.js';
import { queueHref } from './queue-address.js';
import { setFlash, takeFlash } from './admin-chrome.js';
import { commentIdOf, hidden, moderator, parseForm, returnPath } from './comment-action-handlers.js';
import { ID_PATTERN } from '../platform/http/route-patterns.js';

const BLOCKS_PATH = '/admin/blocks';

const blockForm = z.strictObject({
  ...hidden,
  kind: z.enum(BLOCK_KINDS),
  expires: z.enum(BLOCK_DURATIONS.map((duration) => duration.value)).optional(),
  note: z.string().max(10_000).optional(),
});
const liftForm = z.strictObject({ _csrf: z.string().max(1000) });

/** POST /admin/comments/:id/block — blocks the comment's author by email, IP or email domain; their pending comments go to spam. */
export async function blockCommenterOfComment(req: Request, res: Response) {
  const id = commentIdOf(req);
  const form = parseForm(blockForm, req.body);
  const back = returnPath(req, form.return_to);
  const note = (form.note ?? '').trim();
  const { db, memo } = contextOf(req);
  const commenter = await findCommenter(db, id);
  if (!commenter) throw new HttpError(404, 'That comment no longer exists.');
  const value = blockValueFor(form.kind, commenter);
  if (value === null) {
    setFlash(req, 'error', `Nothing was blocked: this comment has no ${BLOCK_KIND_LABELS[form.kind].toLowerCase()} to block.`);
  } else if (Array.from(note).length > BLOCK_NOTE_MAX) {
    setFlash(req, 'error', `Nothing was blocked: keep the note to ${BLOCK_NOTE_MAX} characters.`);
  } else {
    const { actor, at } = moderator(req, res);
    const block = { kind: form.kind, value, note, expires_at: blockExpiry(form.expires ?? 'never', at) };
    const outcome = await blockCommenter(db, block, actor, at, blockedReason(form.kind, value));
    const { timeZone } = await rememberedDiscussionSettings(db, memo);
    const until = outcome.block.expires_at ? namedDateFormatsIn(timeZone).formatDateTime(outcome.block.expires_at) : null;
    setFlash(req, 'success', describeBlocking(form.kind, value, until, outcome.movedIds.length));
  }
  res.redirect(303, back);
}

function blockModel(block: ListedBlock): BlockModel {
  const id = String(block.id);
  return {
    id,
    kindLabel: BLOCK_KIND_LABELS[block.kind],
    // A hashed block names no one: the commenter it blocks was erased.
    value: block.hashed ? HASHED_BLOCK_LABEL : block.value,
    note: block.note,
    expiresAt: block.expires_at,
    createdBy: block.created_by_name ?? (block.created_by ? 'a removed account' : 'unknown'),
    createdAt: block.created_at,
    commentsHref: queueHref({ view: 'all', q: block.hashed ? '' : block.value }),
    liftAction: `${BLOCKS_PATH}/${id}/delete`,
  };
}

/** GET /admin/blocks — the blocks in force: what, why, until when, by whom; each can be lifted. */
export async function showBlocks(req: Request, res: Response) {
  const blocks = await listActiveBlocks(contextOf(req).db);
  await renderPage(res, 200, 'moderation/admin/blocks', {
    meta: { title: 'Blocked commenters' },
    blocks: blocks.map(blockModel),
    flash: takeFlash(req),
  });
}

/** POST /admin/blocks/:id/delete — lifts a block; comments already in spam stay there. */
export async function liftBlock(req: Request, res: Response) {
  const id = String(req.params.id);
  if (!ID_PATTERN.test(id)) throw new HttpError(404, 'There is no such block.');
  parseForm(liftForm, req.body);
  const lifted = await deleteBlock(contextOf(req).db, id);
  if (lifted) setFlash(req, 'success', `Block on ${describeBlock(lifted.kind, lifted.hashed ? HASHED_BLOCK_LABEL : lifted.value)} lifted.`);
  else setFlash(req, 'error', 'That block had already been lifted.');
  res.redirect(303, BLOCKS_PATH);
}
