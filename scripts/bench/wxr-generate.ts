import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

/**
 * Writes a WordPress export (WXR 1.2) of `posts` published posts sharing
 * `comments` comments (a fifth of them replies, some pending, some spam,
 * every body HTML in CDATA), streamed to the file so that any size is
 * written in bounded memory. The import-rate bench row imports it:
 *
 *   npx tsx scripts/bench/wxr-generate.ts --posts 1000 --comments 100000 --out big.xml
 *   DATABASE_URL=… npm run import -- wordpress big.xml
 */

export interface GeneratedExport {
  posts: number;
  comments: number;
}

const pad = (n: number) => String(n).padStart(2, '0');
const wpDate = (date: Date) =>
  `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;

function header(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Generated Blog</title>
  <link>https://generated.example</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_blog_url>https://generated.example</wp:base_blog_url>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[writer]]></wp:author_login><wp:author_display_name><![CDATA[The Writer]]></wp:author_display_name></wp:author>
`;
}

function comment(id: number, parent: number, at: Date): string {
  const status = id % 50 === 0 ? 'spam' : id % 10 === 0 ? '0' : '1';
  const date = wpDate(at);
  return `    <wp:comment>
      <wp:comment_id>${id}</wp:comment_id>
      <wp:comment_author><![CDATA[Reader ${id % 997}]]></wp:comment_author>
      <wp:comment_author_email><![CDATA[reader${id % 997}@example.org]]></wp:comment_author_email>
      <wp:comment_author_url>https://reader${id % 997}.example/</wp:comment_author_url>
      <wp:comment_author_IP>192.0.2.${id % 250}</wp:comment_author_IP>
      <wp:comment_date>${date}</wp:comment_date>
      <wp:comment_date_gmt>${date}</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[<p>Comment ${id}: a considered reply with <a href="https://example.org/${id}">a link</a> &amp; an entity.</p>
<p>A second paragraph, as readers write them.</p>]]></wp:comment_content>
      <wp:comment_approved>${status}</wp:comment_approved>
      <wp:comment_type></wp:comment_type>
      <wp:comment_parent>${parent}</wp:comment_parent>
      <wp:comment_user_id>0</wp:comment_user_id>
    </wp:comment>
`;
}

function postOpen(id: number, at: Date): string {
  const date = wpDate(at);
  return `  <item>
    <title>Generated post ${id}</title>
    <link>https://generated.example/${date.slice(0, 4)}/${date.slice(5, 7)}/generated-post-${id}/</link>
    <dc:creator><![CDATA[writer]]></dc:creator>
    <content:encoded><![CDATA[First paragraph of post ${id}.

Second paragraph with <em>emphasis</em> and a <a href="https://example.org/">link</a>.]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>${id}</wp:post_id>
    <wp:post_date>${date}</wp:post_date>
    <wp:post_date_gmt>${date}</wp:post_date_gmt>
    <wp:comment_status>open</wp:comment_status>
    <wp:post_name><![CDATA[generated-post-${id}]]></wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_parent>0</wp:post_parent>
    <wp:post_type>post</wp:post_type>
    <wp:post_password></wp:post_password>
    <category domain="post_tag" nicename="tag-${id % 20}"><![CDATA[Tag ${id % 20}]]></category>
`;
}

export async function generateWxr(file: string, { posts, comments }: GeneratedExport): Promise<void> {
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(header());
  const start = Date.UTC(2015, 0, 1);
  let commentId = 0;
  for (let post = 1; post <= posts; post++) {
    const at = new Date(start + post * 3_600_000);
    await write(postOpen(post, at));
    const share = Math.floor(comments / posts) + (post <= comments % posts ? 1 : 0);
    const first = commentId + 1;
    for (let n = 0; n < share; n++) {
      commentId++;
      const parent = n % 5 === 4 ? commentId - 1 : 0;
      await write(comment(commentId, parent >= first ? parent : 0, new Date(at.getTime() + n * 60_000)));
    }
    await write('  </item>\n');
  }
  await write('</channel>\n</rss>\n');
  out.end();
  await once(out, 'finish');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { posts: { type: 'string', default: '1000' }, comments: { type: 'string', default: '100000' }, out: { type: 'string' } },
  });
  if (!values.out) {
    process.stderr.write('Usage: npx tsx scripts/bench/wxr-generate.ts [--posts 1000] [--comments 100000] --out FILE.xml\n');
    process.exitCode = 2;
  } else {
    await generateWxr(values.out, { posts: Number(values.posts), comments: Number(values.comments) });
    process.stdout.write(`Wrote ${values.out}: ${values.posts} posts, ${values.comments} comments\n`);
  }
}
