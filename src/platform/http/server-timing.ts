import type { RequestHandler } from 'express';
import responseTime from 'response-time';

/**
 * `Server-Timing: app;dur=<ms>` on the answer: the server's own time for
 * the request, from this middleware to the answer's headers (session,
 * queries, rendering; not the network). A browser's developer tools show
 * it beside the request, and the bench reads its staff-page timings from it.
 * Used on staff pages only: readers' pages tell nobody how long they took.
 */
export const serverTiming: RequestHandler = responseTime((_req, res, milliseconds) => {
  res.setHeader('Server-Timing', `app;dur=${milliseconds.toFixed(1)}`);
});
