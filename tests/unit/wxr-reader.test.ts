import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { WxrReader, WxrRefused, type WxrChannel } from '../../src/moving/wxr-reader.js';
import type { WxrItem } from '../../src/moving/wxr-items.js';
import { progressLine } from '../../src/moving/terminal-progress.js';
import { projectRoot } from '../../src/platform/paths.js';

const fixture = (name: string) => path.join(projectRoot, 'tests/fixtures/wxr', name);
const folder = mkdtempSync(path.join(tmpdir(), 'wxr-reader-'));
after(() => rmSync(folder, { recursive: true, force: true }));

function fileWith(name: string, text: string): string {
  const file = path.join(folder, name);
  writeFileSync(file, text);
  return file;
}

async function readAll(file: string): Promise<{ channel: WxrChannel | null; items: WxrItem[]; reader: WxrReader }> {
  const reader = new WxrReader(file);
  let channel: WxrChannel | null = null;
  const items: WxrItem[] = [];
  for await (const event of reader.events()) {
    if (event.kind === 'channel') channel = event.channel;
    else items.push(event.item);
  }
  return { channel, items, reader };
}

async function refusal(file: string): Promise<string> {
  try {
    await readAll(file);
  } catch (error) {
    assert.ok(error instanceof WxrRefused, `expected a refusal, got ${String(error)}`);
    return error.message;
  }
  assert.fail('the file was read without a refusal');
}

const header = (version = '1.2') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:wp="http://wordpress.org/export/${version}/"><channel><title>T</title><link>https://t.example</link><wp:wxr_version>${version}</wp:wxr_version>\n`;
const tinyItem = (id: number) => `<item><title>Post ${id}</title><wp:post_id>${id}</wp:post_id><wp:post_type>post</wp:post_type></item>\n`;

describe('WXR reader: the real Theme Unit Test export', () => {
  it('reads the channel and every item, by kind', async () => {
    const { channel, items } = await readAll(fixture('theme-unit-test-data.xml'));
    assert.equal(channel?.version, '1.2');
    assert.equal(channel?.siteUrl, 'https://wpthemetestdata.wordpress.com');
    assert.deepEqual(
      channel?.authors.map((author) => author.login),
      ['themedemos', 'themereviewteam'],
    );
    const kinds: Record<string, number> = {};
    for (const item of items) kinds[item.postType] = (kinds[item.postType] ?? 0) + 1;
    assert.deepEqual(kinds, { post: 58, page: 21, attachment: 37, nav_menu_item: 70 });
    assert.equal(
      items.reduce((sum, item) => sum + item.comments.length, 0),
      33,
    );
  });
});

describe('WXR reader: streaming', () => {
  it('holds at most one item at a time, however many fit in one read', async () => {
    const file = fileWith('many.xml', header() + Array.from({ length: 3000 }, (_, i) => tinyItem(i + 1)).join('') + '</channel></rss>\n');
    const { items, reader } = await readAll(file);
    assert.equal(items.length, 3000);
    assert.deepEqual(
      items.slice(0, 3).map((item) => item.postId),
      ['1', '2', '3'],
    );
    assert.equal(reader.itemsHeldMost, 1);
  });

  it('hands items on before the end of the file is read (a file cut short fails only at its end)', async () => {
    const file = fileWith('cut.xml', header() + Array.from({ length: 2000 }, (_, i) => tinyItem(i + 1)).join('') + '<item><title>Cut');
    const reader = new WxrReader(file);
    let seen = 0;
    await assert.rejects(async () => {
      for await (const event of reader.events()) if (event.kind === 'item') seen++;
    }, /truncated/);
    assert.equal(seen, 2000);
  });
});

describe('WXR reader: namespaces and CDATA', () => {
  it('knows elements by namespace URI, whatever the prefix, and ignores a decoy bound to "wp"', async () => {
    const { channel, items } = await readAll(fixture('prefix-rebound.xml'));
    assert.equal(channel?.version, '1.1');
    assert.equal(channel?.siteUrl, 'HTTPS://Small.Example/');
    assert.deepEqual(channel?.authors, [{ id: '7', login: 'ada', displayName: 'Ada Lovelace' }]);
    assert.equal(items[0]?.postId, '10');
    assert.equal(items[0]?.excerpt, 'The excerpt.');
    assert.equal(items[0]?.creator, 'ada');
    assert.deepEqual(
      items.map((item) => item.postType),
      ['post', 'post', 'post', 'page', 'attachment'],
    );
  });

  it('reads WXR 1.0 as well', async () => {
    const { channel, items } = await readAll(fileWith('wxr10.xml', header('1.0') + tinyItem(4) + '</channel></rss>'));
    assert.equal(channel?.version, '1.0');
    assert.equal(items[0]?.postId, '4');
  });

  it('joins a CDATA section split to carry "]]>" and decodes entities outside CDATA', async () => {
    const { items } = await readAll(fixture('prefix-rebound.xml'));
    assert.match(items[0]!.content, /^First paragraph with array\[a\[i\]\]> and x < y & z\.\n\nSecond paragraph/);
    assert.equal(items[0]?.title, 'Brackets & Split CDATA');
  });
});

describe('import progress on a terminal', () => {
  it('says items done of the total, the rate and the time left', () => {
    assert.equal(progressLine({ done: 50, total: 200 }, 10_000), '50/200 items (25%), 5.0 items/s, 30s left');
    assert.equal(progressLine({ done: 1500, total: 6000 }, 10_000), '1500/6000 items (25%), 150 items/s, 30s left');
    assert.equal(progressLine({ done: 0, total: 10 }, 0), '0/10 items (0%), 0.0 items/s, … left');
    assert.equal(progressLine({ done: 7, total: null }, 1000), '7 items, 7.0 items/s');
  });
});

describe('WXR reader: refused files', () => {
  it('refuses a DOCTYPE that declares entities (billion laughs, external entity) before reading on', async () => {
    assert.match(await refusal(fixture('entities.xml')), /declares entities/);
  });

  it('refuses an unknown wxr_version, and a WordPress namespace of an unknown version', async () => {
    assert.match(await refusal(fixture('unknown-version.xml')), /unknown WXR version “1\.9”.*line \d+/);
    const file = fileWith('ns13.xml', header('1.3') + '</channel></rss>');
    assert.match(await refusal(file), /unknown WXR version/);
  });

  it('refuses an RSS feed that is not a WordPress export, and XML that is not RSS', async () => {
    assert.match(await refusal(fixture('not-wxr.xml')), /not a WordPress export .*wxr_version/);
    assert.match(await refusal(fileWith('atom.xml', '<feed xmlns="http://www.w3.org/2005/Atom"></feed>')), /starts with <feed>/);
  });

  it('refuses plain text, malformed XML and a truncated export with the line', async () => {
    assert.match(await refusal(fixture('not-xml.txt')), /not well-formed XML at line \d+/);
    assert.match(
      await refusal(fileWith('bad.xml', header() + '<item><title>x</titel></item></channel></rss>')),
      /not well-formed XML at line 3/,
    );
    assert.match(await refusal(fixture('truncated.xml')), /truncated/);
  });

  it('refuses an export in another encoding than UTF-8', async () => {
    assert.match(await refusal(fileWith('latin.xml', '<?xml version="1.0" encoding="ISO-8859-1"?><rss/>')), /only UTF-8/);
  });
});

describe('WXR reader: the survey before an import', () => {
  const surveyRefusal = async (file: string): Promise<string> => {
    try {
      await new WxrReader(file).survey();
    } catch (error) {
      assert.ok(error instanceof WxrRefused, `expected a refusal, got ${String(error)}`);
      return error.message;
    }
    assert.fail('the file was surveyed without a refusal');
  };

  it('counts every item and reads the channel, as reading them all does', async () => {
    const { channel, items } = await new WxrReader(fixture('theme-unit-test-data.xml')).survey();
    assert.equal(items, 58 + 21 + 37 + 70);
    assert.deepEqual(channel, (await readAll(fixture('theme-unit-test-data.xml'))).channel);
  });

  it('refuses every file that reading them all refuses, with the same reason', async () => {
    const refused = [
      fixture('entities.xml'),
      fixture('unknown-version.xml'),
      fixture('not-wxr.xml'),
      fixture('not-xml.txt'),
      fixture('truncated.xml'),
      fileWith('survey-bad.xml', header() + '<item><title>x</titel></item></channel></rss>'),
      fileWith('survey-unbound.xml', header() + '<item><nope:title>x</nope:title></item></channel></rss>'),
    ];
    for (const file of refused) assert.equal(await surveyRefusal(file), await refusal(file), file);
  });
});
