import { createReadStream } from 'node:fs';
import { SaxesParser, type SaxesTagNS } from 'saxes';

/**
 * Reads a Disqus export (`<disqus xmlns="http://disqus.com">` holding
 * `<category>`, `<thread>` and `<post>` elements, each known by its
 * `dsq:id`) as a stream: saxes parses the file a piece at a time and each
 * thread and post is handed on once its element closes, so memory holds one
 * element and the events of one piece of the file. A DOCTYPE that declares
 * entities, anything not well-formed, and anything that is not a Disqus
 * export are refused with the line: a DisqusRefused.
 */

export class DisqusRefused extends Error {}

export const DISQUS_NAMESPACE = 'http://disqus.com';
export const DISQUS_INTERNALS = 'http://disqus.com/disqus-internals';

export interface DisqusThread {
  dsqId: string;
  forum: string;
  link: string;
  title: string;
}

export interface DisqusPost {
  dsqId: string;
  threadId: string;
  parentId: string | null;
  message: string;
  createdAt: string;
  isDeleted: boolean;
  isSpam: boolean;
  /** Older exports only; null when the element is absent. */
  isApproved: boolean | null;
  authorName: string;
  authorEmail: string;
  authorUsername: string;
  isAnonymous: boolean;
  ipAddress: string;
  line: number;
}

export type DisqusEvent = { kind: 'thread'; thread: DisqusThread } | { kind: 'post'; post: DisqusPost };

const CHUNK_BYTES = 64 * 1024;

/** The element being read: its path below it (`author/name`) → text, and the dsq:id of child references. */
interface Element {
  local: string;
  dsqId: string;
  fields: Map<string, string>;
  refs: Map<string, string>;
  line: number;
}

const truthy = (value: string | undefined) => value?.trim().toLowerCase() === 'true';

export class DisqusReader {
  private readonly parser = new SaxesParser({ xmlns: true, position: true });
  private readonly queue: DisqusEvent[] = [];
  private readonly path: string[] = [];
  private element: Element | null = null;
  private rootSeen = false;

  constructor(private readonly filePath: string) {
    this.parser.on('doctype', (doctype) => {
      if (/<!ENTITY/i.test(doctype)) this.refuse('the file declares entities in a DOCTYPE; such files are refused');
    });
    this.parser.on('opentag', (tag) => this.open(tag));
    this.parser.on('closetag', (tag) => this.close(tag));
    this.parser.on('text', (text) => this.addText(text));
    this.parser.on('cdata', (text) => this.addText(text));
  }

  /** Each thread and post in file order. */
  async *events(): AsyncGenerator<DisqusEvent> {
    const stream = createReadStream(this.filePath, { encoding: 'utf8', highWaterMark: CHUNK_BYTES });
    let first = true;
    try {
      for await (const chunk of stream as AsyncIterable<string>) {
        this.write(first ? chunk.replace(/^\uFEFF/, '') : chunk);
        first = false;
        while (this.queue.length > 0) yield this.queue.shift()!;
      }
    } catch (error) {
      stream.destroy();
      if (error instanceof DisqusRefused) throw error;
      if ((error as NodeJS.ErrnoException).code !== undefined) throw new DisqusRefused(`cannot read the file: ${(error as Error).message}`);
      throw error;
    }
    try {
      this.parser.close();
    } catch (error) {
      throw this.refusalOf(error);
    }
    if (!this.rootSeen) this.refuse('this is not a Disqus export: there is no <disqus> element');
    while (this.queue.length > 0) yield this.queue.shift()!;
  }

  private write(text: string) {
    try {
      this.parser.write(text);
    } catch (error) {
      throw this.refusalOf(error);
    }
  }

  private refusalOf(error: unknown): DisqusRefused {
    if (error instanceof DisqusRefused) return error;
    const message = (error as Error).message.replace(/^(?:[^:\n]*:)?\d+:\d+: /, '');
    if (/must contain a root element/i.test(message))
      return new DisqusRefused('this is not a Disqus export: the file holds no XML element');
    if (/unclosed tag|unexpected end/i.test(message)) {
      return new DisqusRefused(`the file ends before the export does (line ${this.parser.line}): it looks truncated`);
    }
    return new DisqusRefused(`not well-formed XML at line ${this.parser.line}: ${message}`);
  }

  private refuse(message: string): never {
    throw new DisqusRefused(this.parser.line > 0 ? `${message} (line ${this.parser.line})` : message);
  }

  private open(tag: SaxesTagNS) {
    const depth = this.path.length;
    this.path.push(tag.local);
    if (depth === 0) {
      if (tag.local !== 'disqus' || tag.uri !== DISQUS_NAMESPACE) {
        this.refuse(`this is not a Disqus export: it starts with <${tag.name}>, not <disqus xmlns="${DISQUS_NAMESPACE}">`);
      }
      this.rootSeen = true;
      return;
    }
    const dsqId =
      Object.values(tag.attributes).find((attribute) => attribute.uri === DISQUS_INTERNALS && attribute.local === 'id')?.value ?? '';
    if (depth === 1) {
      if (tag.uri === DISQUS_NAMESPACE && (tag.local === 'thread' || tag.local === 'post')) {
        this.element = { local: tag.local, dsqId, fields: new Map(), refs: new Map(), line: this.parser.line };
      }
      return;
    }
    // A reference inside an element: <thread dsq:id="…"/>, <parent dsq:id="…"/>.
    if (this.element && depth === 2 && dsqId !== '') this.element.refs.set(tag.local, dsqId);
  }

  private close(_tag: SaxesTagNS) {
    const depth = this.path.length - 1;
    this.path.pop();
    if (depth !== 1 || !this.element) return;
    const element = this.element;
    this.element = null;
    const field = (name: string) => (element.fields.get(name) ?? '').trim();
    if (element.local === 'thread') {
      this.queue.push({
        kind: 'thread',
        thread: { dsqId: element.dsqId, forum: field('forum'), link: field('link'), title: field('title') },
      });
      return;
    }
    this.queue.push({
      kind: 'post',
      post: {
        dsqId: element.dsqId,
        threadId: element.refs.get('thread') ?? '',
        parentId: element.refs.get('parent') ?? null,
        message: element.fields.get('message') ?? '',
        createdAt: field('createdAt'),
        isDeleted: truthy(element.fields.get('isDeleted')),
        isSpam: truthy(element.fields.get('isSpam')),
        isApproved: element.fields.has('isApproved') ? truthy(element.fields.get('isApproved')) : null,
        authorName: field('author/name'),
        authorEmail: field('author/email'),
        authorUsername: field('author/username'),
        isAnonymous: truthy(element.fields.get('author/isAnonymous')),
        ipAddress: field('ipAddress'),
        line: element.line,
      },
    });
  }

  private addText(text: string) {
    if (!this.element || this.path.length < 3) return;
    const key = this.path.slice(2).join('/');
    this.element.fields.set(key, (this.element.fields.get(key) ?? '') + text);
  }
}
