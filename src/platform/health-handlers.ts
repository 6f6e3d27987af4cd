import type { Request, Response } from 'express';
import { contextOf } from './context.js';

/** GET /healthz — the process is up. */
export function showHealth(_req: Request, res: Response) {
  res.set('Cache-Control', 'no-store').type('text').send('ok');
}

/** GET /readyz — the database answers. */
export async function showReadiness(req: Request, res: Response) {
  res.set('Cache-Control', 'no-store');
  try {
    await contextOf(req).db.raw('SELECT 1');
    res.type('text').send('ready');
  } catch {
    res.status(503).set('Retry-After', '5').type('text').send('database unavailable');
  }
}
