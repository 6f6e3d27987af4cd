/**
 * V8's heap settings for every app process, given as node flags (V8 sizes
 * its heap when the process starts): by `npm start`, the Docker image, and
 * the cluster primary for each worker it forks.
 *
 * V8 sizes the heap for the machine, not for the app. On a machine with a
 * few gigabytes it lets the old generation grow to four times what is live
 * before collecting it (a burst of connections leaves far more garbage than
 * the app's 40-odd MB of live objects), and the young generation grows to
 * two semi-spaces of 16 MiB that it keeps. What a load leaves behind is then
 * given back only when V8's memory reducer judges the process idle, which
 * can take minutes. A maximum old generation of 512 MiB (still about ten
 * times what the app keeps live) makes V8 collect once the heap has grown
 * by about half instead, and semi-spaces of 8 MiB keep the young generation
 * smaller. Smaller still (4 MiB) costs CPU: under load a request's garbage
 * then outlives two scavenges, is promoted, and has to be marked and swept
 * by full collections.
 */
export const HEAP_FLAGS = ['--max-old-space-size=512', '--max-semi-space-size=8'] as const;

/** `execArgv` with HEAP_FLAGS added, except a setting the process was given otherwise. */
export function withHeapFlags(execArgv: readonly string[]): string[] {
  const settingOf = (flag: string) => flag.split('=')[0]!.replaceAll('_', '-');
  const given = new Set(execArgv.map(settingOf));
  return [...HEAP_FLAGS.filter((flag) => !given.has(settingOf(flag))), ...execArgv];
}
