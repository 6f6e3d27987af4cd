import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import express from 'express';

/**
 * Child process of `npm run bench`: for each page given as `name=file`, two
 * servers that answer every request with exactly that page's bytes: a bare
 * node:http one and a bare Express 5 one. They show what the machine can do
 * for a response of that size, so the app's figure can be read against them.
 * Reports `{ name: { http, express } }` ports over IPC.
 */

export type CeilingPorts = Record<string, { http: number; express: number }>;

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address) resolve(address.port);
      else reject(new Error('no port'));
    });
  });
}

async function main() {
  const ports: CeilingPorts = {};
  for (const argument of process.argv.slice(2)) {
    const [name, file] = argument.split('=', 2) as [string, string | undefined];
    if (!file) throw new Error(`expected name=file, got ${argument}`);
    const body = await readFile(file);

    const bare = createServer((_req, res) => res.end(body));
    const app = express();
    app.use((_req, res) => res.end(body));
    const withExpress = createServer(app);

    ports[name] = { http: await listen(bare), express: await listen(withExpress) };
  }
  process.send?.({ ports });
  // The bench ends this process; if the bench itself dies, so does the IPC channel.
  process.on('disconnect', () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`ceiling servers failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
