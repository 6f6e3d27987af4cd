import type { Request, Response } from 'express';
import { contextOf } from './context.js';
import { readinessProblem } from './db/readiness.js';

/** GET /healthz — the process is up. */
export function showHealth(_req: Request, res: Response) {
  res.set('Cache-Control', 'no-store').type('text').send('ok');
}

/** GET /readyz — a comment could be taken now: the database answers in time and the tables a post writes are free. */
export async function showReadiness(req: Request, res: Response) {
  res.set('Cache-Control', 'no-store');
  const problem = await readinessProblem(contextOf(req).db);
  if (problem === null) res.type('text').send('ready');
  else res.status(503).set('Retry-After', '5').type('text').send(`not ready: ${problem}`);
}
