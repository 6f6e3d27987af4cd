/**
 * glibc's malloc settings for every app process, given in its environment
 * (glibc reads them only when a process starts): by `npm start`, the Docker
 * image, and the cluster primary for each worker it forks.
 *
 * By default glibc raises its mmap threshold to the size of any large block
 * that is freed. After the first argon2 hash (a 19 MiB block, on a libuv
 * thread) the next ones then come from that thread's malloc arena, which
 * keeps them: every admin sign-in left about 19 MB behind on its thread, up
 * to about 80 MB over the four threads. With a fixed threshold every block
 * of 1 MiB or more is mapped on its own and returned when freed; smaller
 * ones (a rendered page's buffers) still come from the arenas.
 */
export const MALLOC_SETTINGS = { MALLOC_MMAP_THRESHOLD_: String(1024 * 1024) } as const;
