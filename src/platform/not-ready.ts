import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { SLUG_PATTERN } from './http/route-patterns.js';

const RETRY_AFTER_SECONDS = '5';
/** As the app's form parser: a comment form is far smaller. */
const FORM_LIMIT_BYTES = 1024 * 1024;

/*
 * Answered before the app and its templates are loaded, so these are fixed
 * pages with nothing that could fail to load: no stylesheet, no script.
 */
const page = (title: string, body: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} – Broadsheet</title></head>
<body>
<main>
${body}
</main>
</body>
</html>
`;

const STARTING_PAGE = page(
  'Temporarily unavailable',
  `<h1>Temporarily unavailable</h1>
<p>The site is starting and cannot reach its database yet. Please try again in a moment.</p>`,
);

const TOO_LARGE_PAGE = page(
  'That was too large to send',
  `<h1>That was too large to send</h1>
<p>What you sent is larger than this site accepts. Shorten it and try again.</p>`,
);

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/**
 * The comment form again, with everything the commenter sent, posting to
 * the same address: the article is not known yet (the database is not),
 * but the words are kept, and the same submission id makes a resend safe.
 */
function commentRetryPage(action: string, articlePath: string, sent: URLSearchParams): string {
  const value = (name: string) => escapeHtml(sent.get(name) ?? '');
  const ticked = (name: string) => (sent.has(name) ? ' checked' : '');
  const field = (name: string, label: string, type: string, autocomplete: string) =>
    `<p><label for="${name}">${label}</label><br><input id="${name}" name="${name}" type="${type}" value="${value(name)}" size="30" autocomplete="${autocomplete}"></p>`;
  const box = (id: string, name: string, label: string) =>
    `<p><input id="${id}" name="${name}" type="checkbox" value="yes"${ticked(name)}> <label for="${id}">${label}</label></p>`;
  const hidden = (name: string) => `<input type="hidden" name="${name}" value="${value(name)}">`;
  return page(
    'Your comment was not posted yet',
    `<h1>Your comment was not posted yet</h1>
<p role="alert">The site is starting and cannot reach its database yet, so your comment was not saved. Your text is kept below: send it again in a moment.</p>
<form action="${escapeHtml(action)}" method="post" id="commentform">
<p>Your email address will not be published. Required fields are marked *</p>
<p><label for="comment">Comment *</label><br><textarea id="comment" name="comment" cols="45" rows="8" required>
${value('comment')}</textarea></p>
${field('author', 'Name *', 'text', 'name')}
${field('email', 'Email *', 'email', 'email')}
${field('url', 'Website', 'url', 'url')}
${box('comment-cookies-consent', 'remember', 'Save my name, email, and website in this browser for the next time I comment.')}
${box('notify-replies', 'notify_replies', 'Notify me of replies to my comment by email.')}
${box('notify-approval', 'notify_approval', 'Email me when my comment is published.')}
<div hidden><label for="comment_subject">Leave this field empty</label><input id="comment_subject" name="comment_subject" type="text" value="${value('comment_subject')}" tabindex="-1" autocomplete="off"></div>
<p><button type="submit">Post Comment</button>
${hidden('parent_id')}${hidden('submission_id')}${hidden('rendered_at')}</p>
</form>
<p><a href="${escapeHtml(articlePath)}">Back to the article</a></p>`,
  );
}

function securityHeaders(production: boolean): Record<string, string> {
  return {
    // form-action 'self': the comment form above is sent again to this site.
    'Content-Security-Policy': "default-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    ...(production ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

/**
 * A posted form's fields, or 'too-large'. A body declared too large is
 * refused unread (and the connection closed after the answer); one that
 * turns out too large as it comes (chunked) is read to its end and dropped,
 * so the connection stays usable.
 */
function readForm(req: IncomingMessage): Promise<URLSearchParams | 'too-large'> {
  if (Number(req.headers['content-length']) > FORM_LIMIT_BYTES) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= FORM_LIMIT_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(bytes > FORM_LIMIT_BYTES ? 'too-large' : new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

const isForm = (req: IncomingMessage) => /^application\/x-www-form-urlencoded\s*(;|$)/i.test(req.headers['content-type'] ?? '');

/** The article a comment form is posted to, when this request is one. */
function commentedArticle(req: IncomingMessage, path: string): string | undefined {
  if (req.method !== 'POST' || !isForm(req)) return undefined;
  const slug = /^\/articles\/([^/]+)\/comments$/.exec(path)?.[1];
  return slug !== undefined && SLUG_PATTERN.test(slug) ? `/articles/${slug}` : undefined;
}

type Answer = [status: number, type: string, body: string, extra?: Record<string, string>];

async function answerFor(req: IncomingMessage, path: string): Promise<Answer> {
  const html = 'text/html; charset=utf-8';
  if (path === '/healthz') return [200, 'text/plain; charset=utf-8', 'ok'];
  if (path === '/readyz') return [503, 'text/plain; charset=utf-8', 'starting: the database is not ready'];
  const article = commentedArticle(req, path);
  if (article === undefined) return [503, html, STARTING_PAGE];
  const form = await readForm(req);
  // A body left unread cannot be skipped: that connection is closed after the answer.
  if (form === 'too-large') return [413, html, TOO_LARGE_PAGE, req.complete ? {} : { Connection: 'close' }];
  return [503, html, commentRetryPage(path, article, form)];
}

/** While not ready: the process is up (/healthz 200), everything else is 503 with Retry-After, a comment given back. */
function answerNotReady(production: boolean): RequestListener {
  const headers = securityHeaders(production);
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const send = ([status, type, body, extra = {}]: Answer) => {
      res.writeHead(status, {
        ...headers,
        ...extra,
        'Content-Type': type,
        'Content-Length': Buffer.byteLength(body),
        ...(status === 503 ? { 'Retry-After': RETRY_AFTER_SECONDS } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    answerFor(req, path).then(send, () => res.destroy());
  };
}

export interface Gate {
  /** The server's request handler: not-ready answers until `open`, then the app. */
  readonly handle: RequestListener;
  open(app: RequestListener): void;
  /**
   * Stopping: from now on /readyz answers 503 (so a load balancer stops
   * sending) and every answer closes its connection, while requests are
   * still served.
   */
  drain(): void;
  readonly isOpen: boolean;
}

/**
 * Stands in front of the app while the database is being reached and
 * migrated, so that the port answers at once and nothing half-initialised
 * ever serves: the app is swapped in whole, once it is ready.
 */
export function createGate(options: { production: boolean }): Gate {
  let current = answerNotReady(options.production);
  let isOpen = false;
  let draining = false;
  const stopping: RequestListener = (req, res) => {
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'Retry-After': RETRY_AFTER_SECONDS });
    res.end(req.method === 'HEAD' ? undefined : 'stopping');
  };
  return {
    handle: (req, res) => {
      if (!draining) return current(req, res);
      res.setHeader('Connection', 'close');
      return ((req.url ?? '/').split('?')[0] === '/readyz' ? stopping : current)(req, res);
    },
    open(app) {
      current = app;
      isOpen = true;
    },
    drain() {
      draining = true;
    },
    get isOpen() {
      return isOpen;
    },
  };
}
