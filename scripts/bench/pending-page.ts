import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';
import { PENDING_COOKIE } from '../../src/comments/commenter-cookies.js';
import type { CeilingPorts } from './ceiling.js';
import { BENCH_COMMENTER_ADDRESS } from './bench-settings.js';
import { BENCH_EMAIL_DOMAIN } from './comments.js';
import { loadCommentForm, postCommentForm } from './commenter.js';
import { createClient } from './http-client.js';
import { nextMessage, startTypeScript, stopChild } from './processes.js';
import type { Measured } from './report.js';
import type { RunningApp } from './scale-app.js';
import { troubleOf, verdict, type Loader, type OnCleanUp, type Say, type Verdict } from './scale-kit.js';

/**
 * Row: the article page for a commenter whose comment awaits moderation.
 * Their signed cookie makes the page theirs alone (it shows their held
 * comment): it never comes from the shared page cache, only from their own
 * private one, checked against their comments on every request; measured
 * against ceilings sending the very same bytes.
 */

export const PENDING_TARGET = 0.2;
const AWAITING = 'Your comment is awaiting moderation.';

export interface PendingPageInput {
  app: RunningApp;
  loader: Loader;
  articlePath: string;
  folder: string;
  say: Say;
  onCleanUp: OnCleanUp;
}

/** Posts a comment as a browser would and returns the Cookie header that names it. */
export async function becomePendingCommenter(base: string, articlePath: string, say: Say): Promise<string> {
  const client = createClient(base);
  try {
    const form = await loadCommentForm(client, articlePath);
    say('  posting a comment as a browser does (the form read, then a 3 s pause the timing trap asks for)…');
    const answer = await postCommentForm(
      client,
      form,
      {
        comment: 'Which of the energy contracts mentioned here have actually been signed?',
        author: 'Pending Commenter',
        email: `pending-commenter-${Date.now()}@${BENCH_EMAIL_DOMAIN}`,
      },
      { 'X-Forwarded-For': BENCH_COMMENTER_ADDRESS },
    );
    if (answer.status !== 303) throw new Error(`posting the comment answered ${answer.status}, not 303`);
    const pending = client.cookies.get(PENDING_COOKIE);
    if (!pending) throw new Error(`the accepted comment set no ${PENDING_COOKIE} cookie`);
    return `${PENDING_COOKIE}=${pending}`;
  } finally {
    client.close();
  }
}

export async function measurePendingPage(input: PendingPageInput): Promise<{ measured: Measured[]; verdict: Verdict }> {
  const { app, loader, articlePath, folder, say, onCleanUp } = input;
  const label = 'article page, commenter with a pending comment';
  say(`${label}:`);
  const cookie = await becomePendingCommenter(app.base, articlePath, say);

  const client = createClient(app.base, { Cookie: cookie });
  const page = await client.get(articlePath).finally(() => client.close());
  if (page.status !== 200) throw new Error(`the commenter's page answered ${page.status}`);
  if (!page.body.includes(AWAITING)) throw new Error(`the commenter's page does not show "${AWAITING}"`);
  if (page.headers['x-page-cache']) throw new Error(`the commenter's page came from the page cache (${String(page.headers['x-page-cache'])})`);
  const file = path.join(folder, 'pending-page.html');
  await writeFile(file, page.body);
  say(`  their page: ${Buffer.byteLength(page.body)} bytes, shows their held comment, not from the shared page cache.`);

  const ceiling = startTypeScript(path.join(projectRoot, 'scripts/bench/ceiling.ts'), [`pending=${file}`], { ipc: true });
  onCleanUp(async () => void (await stopChild(ceiling)));
  try {
    const ports = (await nextMessage<CeilingPorts>(ceiling, 'ports')).pending!;
    // Each target starts once the app has finished what the one before left queued.
    const idle = { idle: [app.pid] };
    const figures = await loader.measure(label, { url: `${app.base}${articlePath}`, headers: { Cookie: cookie } }, idle);
    const http = await loader.measure('  ceiling: node:http, same bytes', { url: `http://127.0.0.1:${ports.http}/` }, idle);
    const express = await loader.measure('  ceiling: Express 5, same bytes', { url: `http://127.0.0.1:${ports.express}/` }, idle);
    const share = express.requestsPerSecond > 0 ? figures.requestsPerSecond / express.requestsPerSecond : 0;
    const trouble = troubleOf(figures);
    const notes = trouble ? [`the app's answers were not all 200: ${trouble}`] : [];
    return {
      measured: [
        { label, figures, ceilings: { http, express } },
        { label: '  ceiling: node:http, same bytes', figures: http },
        { label: '  ceiling: Express 5, same bytes', figures: express, httpCeiling: http },
      ],
      verdict: verdict(
        'article page, commenter with a pending comment',
        `${(share * 100).toFixed(1)} % of bare Express`,
        `≥ ${PENDING_TARGET * 100} % of bare Express`,
        share >= PENDING_TARGET && !trouble,
        notes,
      ),
    };
  } finally {
    await stopChild(ceiling);
  }
}
