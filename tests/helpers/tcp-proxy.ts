import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  /** What arrived while silent, in order: delivered on resume. */
  held: Array<() => void>;
  /** Left behind by a failover: silent for good, whatever the proxy does next. */
  lost: boolean;
}

/**
 * A TCP proxy between the app and PostgreSQL that can go silent, as a
 * database host does when it is paused, partitioned or failing over: the
 * connections stay open, new ones are accepted, and nothing comes back.
 * The app's TCP stack cannot tell (the proxy is alive and acknowledges
 * everything), so only the app's own time limits can. Used by the tests and
 * the fault script.
 */
export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private silent = false;

  private constructor(
    private readonly server: net.Server,
    private readonly target: { host: string; port: number },
  ) {
    server.on('connection', (client) => this.relay(client));
  }

  /** A proxy on a free port of 127.0.0.1 to the server of `url`. */
  static async start(url: string): Promise<TcpProxy> {
    const { hostname, port } = new URL(url);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new TcpProxy(server, { host: hostname, port: Number(port || 5432) });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** `url` (postgres://…) going through this proxy. */
  urlFor(url: string): string {
    const through = new URL(url);
    through.hostname = '127.0.0.1';
    through.port = String(this.port);
    return through.toString();
  }

  /** From now on nothing is forwarded either way, closing included; held, not lost. */
  silence(): void {
    this.silent = true;
  }

  /** Delivers what was held, in order, and forwards again. */
  resume(): void {
    this.silent = false;
    for (const pair of this.pairs) pair.held.splice(0).forEach((deliver) => deliver());
  }

  /**
   * A failover: the connections made before stay silent for good (what they
   * sent is never answered, and no close arrives), while new connections
   * reach the database again.
   */
  failOver(): void {
    for (const pair of this.pairs) {
      pair.lost = true;
      pair.held.length = 0;
    }
    this.silent = false;
  }

  /** Closes every connection at once, as a crashed server would. */
  cutAll(): void {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream.destroy();
    }
  }

  get connections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: net.Socket) {
    const upstream = net.connect(this.target.port, this.target.host);
    const pair: Pair = { client, upstream, held: [], lost: false };
    this.pairs.add(pair);
    const act = (deliver: () => void) => {
      if (pair.lost) return;
      if (this.silent) pair.held.push(deliver);
      else deliver();
    };
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on('data', (chunk: Buffer) => act(() => to.write(chunk)));
      from.on('end', () => act(() => to.end()));
      from.on('close', () => act(() => to.destroy()));
      // A write to a side that is already gone; its close is what counts.
      from.on('error', () => {});
    }
    let open = 2;
    const closed = () => {
      if (--open === 0) this.pairs.delete(pair);
    };
    client.once('close', closed);
    upstream.once('close', closed);
  }
}
