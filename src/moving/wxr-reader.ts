import { createReadStream } from 'node:fs';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { itemOf, type WxrAuthor, type WxrItem, type XmlNode } from './wxr-items.js';

/**
 * Reads a WordPress export (WXR 1.0, 1.1 or 1.2) as a stream: the file is
 * parsed a piece at a time with saxes and handed on one `<item>` at a time,
 * so memory holds the channel's small header and the one item being read,
 * never the file. Elements are known by their namespace URI, never by the
 * prefix a file happens to bind. A DOCTYPE that declares entities is refused
 * before anything is read from it (saxes expands no external entity; an
 * internal one could still be a billion laughs), as is anything that is not
 * well-formed XML or not a WXR file: a WxrRefused with the line.
 */

export class WxrRefused extends Error {}

export interface WxrChannel {
  version: '1.0' | '1.1' | '1.2';
  /** wp:base_blog_url, else the channel's <link>, as the file gives it. */
  siteUrl: string;
  title: string;
  authors: WxrAuthor[];
}

export type WxrEvent = { kind: 'channel'; channel: WxrChannel } | { kind: 'item'; item: WxrItem; line: number };

const VERSIONS = new Set(['1.0', '1.1', '1.2']);
const WP_NAMESPACE = /^https?:\/\/wordpress\.org\/export\/([^/]+)\/$/;
const CHUNK_BYTES = 64 * 1024;
// An item ends at a `>` that follows its name: the text is written to the parser in
// pieces that end just after each such place, so at most one item completes per piece.
const ITEM_END = /item\s*>/g;

/** The namespace URIs that name the same thing, written one way. */
export function namespaceKey(uri: string): string {
  const wp = WP_NAMESPACE.exec(uri);
  if (wp) return 'wp';
  if (/^https?:\/\/wordpress\.org\/export\/[^/]+\/excerpt\/$/.test(uri)) return 'excerpt';
  if (/^https?:\/\/purl\.org\/rss\/1\.0\/modules\/content\/$/.test(uri)) return 'content';
  if (/^https?:\/\/purl\.org\/dc\/elements\/1\.1\/$/.test(uri)) return 'dc';
  return uri;
}

export class WxrReader {
  /** The most items held at once, read or waiting to be taken: one, by design (a test checks it). */
  itemsHeldMost = 0;
  private readonly parser = new SaxesParser({ xmlns: true, position: true });
  private readonly queue: WxrEvent[] = [];
  private readonly stack: XmlNode[] = [];
  private depth = 0;
  /** While surveying, items are counted and their insides not kept. */
  private countingOnly = false;
  private insideCountedItem = false;
  private itemsCounted = 0;
  private channelSeen = false;
  private channel: WxrChannel | null = null;
  private header = { version: '', link: '', baseBlogUrl: '', title: '', authors: [] as WxrAuthor[] };

  constructor(private readonly filePath: string) {
    this.parser.on('xmldecl', (decl) => {
      if (decl.encoding && !/^utf-?8$/i.test(decl.encoding)) {
        this.refuse(`the file is in ${decl.encoding}; only UTF-8 exports can be read (WordPress writes UTF-8)`);
      }
    });
    this.parser.on('doctype', (doctype) => {
      if (/<!ENTITY/i.test(doctype))
        this.refuse('the file declares entities in a DOCTYPE; such files are refused (they can read local files or expand without end)');
    });
    this.parser.on('opentag', (tag) => this.open(tag));
    this.parser.on('closetag', (tag) => this.close(tag));
    this.parser.on('text', (text) => this.addText(text));
    this.parser.on('cdata', (text) => this.addText(text));
  }

  /** The channel first, then each item in file order. */
  async *events(): AsyncGenerator<WxrEvent> {
    let carried = '';
    let first = true;
    const stream = createReadStream(this.filePath, { encoding: 'utf8', highWaterMark: CHUNK_BYTES });
    try {
      for await (const chunk of stream as AsyncIterable<string>) {
        let text = carried + (first ? chunk.replace(/^\uFEFF/, '') : chunk);
        first = false;
        const lastEnd = text.lastIndexOf('>');
        carried = text.slice(lastEnd + 1);
        text = text.slice(0, lastEnd + 1);
        for (const piece of piecesOf(text)) {
          this.write(piece);
          yield* this.drain();
        }
      }
    } catch (error) {
      stream.destroy();
      if (error instanceof WxrRefused) throw error;
      if ((error as NodeJS.ErrnoException).code !== undefined) throw new WxrRefused(`cannot read the file: ${(error as Error).message}`);
      throw error;
    }
    this.write(carried);
    try {
      this.parser.close();
    } catch (error) {
      throw this.refusalOf(error);
    }
    if (!this.channelSeen) this.refuse('this is not a WordPress export (WXR): there is no <rss><channel>');
    if (this.depth > 0) this.refuse('the file ends before the export does: it looks truncated');
    this.startChannel();
    yield* this.drain();
  }

  /**
   * Reads the whole file with the same checks as events(), counting the
   * items instead of building them: the check before an import, at about
   * the cost of parsing alone.
   */
  async survey(): Promise<{ channel: WxrChannel; items: number }> {
    this.countingOnly = true;
    for await (const event of this.events()) void event;
    return { channel: this.channel!, items: this.itemsCounted };
  }

  private *drain(): Generator<WxrEvent> {
    while (this.queue.length > 0) yield this.queue.shift()!;
  }

  private write(text: string) {
    if (text === '') return;
    try {
      this.parser.write(text);
    } catch (error) {
      throw this.refusalOf(error);
    }
    const held = this.queue.filter((event) => event.kind === 'item').length + (this.stack[0]?.local === 'item' ? 1 : 0);
    this.itemsHeldMost = Math.max(this.itemsHeldMost, held);
  }

  private refusalOf(error: unknown): WxrRefused {
    if (error instanceof WxrRefused) return error;
    const message = (error as Error).message.replace(/^(?:[^:\n]*:)?\d+:\d+: /, '');
    if (/unclosed tag|unexpected end/i.test(message)) {
      return new WxrRefused(`the file ends before the export does (line ${this.parser.line}): it looks truncated`);
    }
    return new WxrRefused(`not well-formed XML at line ${this.parser.line}: ${message}`);
  }

  private refuse(message: string): never {
    throw new WxrRefused(this.parser.line > 0 ? `${message} (line ${this.parser.line})` : message);
  }

  private open(tag: SaxesTagNS) {
    this.depth++;
    if (this.insideCountedItem) return;
    if (this.depth === 1) {
      if (tag.uri !== '' || tag.local !== 'rss')
        this.refuse(`this is not a WordPress export (WXR): it starts with <${tag.name}>, not <rss>`);
      return;
    }
    if (this.depth === 2) {
      if (tag.uri !== '' || tag.local !== 'channel')
        this.refuse(`this is not a WordPress export (WXR): <rss> holds <${tag.name}>, not <channel>`);
      this.channelSeen = true;
      return;
    }
    const node: XmlNode = { ns: namespaceKey(tag.uri), local: tag.local, attributes: {}, text: '', children: [] };
    for (const attribute of Object.values(tag.attributes)) node.attributes[attribute.local] = attribute.value;
    if (this.depth === 3) {
      if (node.ns === 'wp' && !VERSIONS.has(WP_NAMESPACE.exec(tag.uri)![1]!)) {
        this.refuse(`unknown WXR version: the namespace ${tag.uri} is not 1.0, 1.1 or 1.2`);
      }
      if (node.ns === '' && node.local === 'item') {
        this.startChannel();
        if (this.countingOnly) {
          this.insideCountedItem = true;
          return;
        }
      }
    } else {
      this.stack.at(-1)!.children.push(node);
    }
    this.stack.push(node);
  }

  private close(_tag: SaxesTagNS) {
    this.depth--;
    if (this.insideCountedItem) {
      if (this.depth === 2) {
        this.insideCountedItem = false;
        this.itemsCounted++;
      }
      return;
    }
    if (this.depth < 2) return;
    const node = this.stack.pop()!;
    if (this.depth !== 2) return;
    if (node.ns === '' && node.local === 'item') {
      this.queue.push({ kind: 'item', item: itemOf(node), line: this.parser.line });
    } else {
      this.keepHeader(node);
    }
  }

  private addText(text: string) {
    if (this.insideCountedItem) return;
    const node = this.stack.at(-1);
    if (node) node.text += text;
  }

  private keepHeader(node: XmlNode) {
    const text = node.text.trim();
    if (node.ns === 'wp' && node.local === 'wxr_version') this.header.version = text;
    else if (node.ns === 'wp' && node.local === 'base_blog_url') this.header.baseBlogUrl = text;
    else if (node.ns === '' && node.local === 'link') this.header.link = text;
    else if (node.ns === '' && node.local === 'title') this.header.title = text;
    else if (node.ns === 'wp' && node.local === 'author') {
      const field = (name: string) => node.children.find((child) => child.ns === 'wp' && child.local === name)?.text.trim() ?? '';
      this.header.authors.push({ id: field('author_id'), login: field('author_login'), displayName: field('author_display_name') });
    }
  }

  /** The header is complete at the first item (WordPress writes it first), or at the end of a file without items. */
  private startChannel() {
    if (this.channel) return;
    const { version, baseBlogUrl, link, title, authors } = this.header;
    if (version === '') this.refuse('this is not a WordPress export (WXR): the channel has no wp:wxr_version');
    if (!VERSIONS.has(version)) this.refuse(`unknown WXR version “${version}”: this importer reads 1.0, 1.1 and 1.2`);
    const siteUrl = baseBlogUrl || link;
    if (siteUrl === '') this.refuse('the export names no site (neither wp:base_blog_url nor a channel <link>)');
    this.channel = { version: version as WxrChannel['version'], siteUrl, title, authors };
    this.queue.push({ kind: 'channel', channel: this.channel });
  }
}

function* piecesOf(text: string): Generator<string> {
  let from = 0;
  for (const match of text.matchAll(ITEM_END)) {
    const end = match.index + match[0].length;
    yield text.slice(from, end);
    from = end;
  }
  yield text.slice(from);
}
