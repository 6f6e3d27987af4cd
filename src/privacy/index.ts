/** What the rest of the app may use of privacy: everything else in this folder is its own. */
export { startCleanupJob } from './cleanup-job.js';
export { forgetDeletedComments } from './forget-comment.js';
export type { DeletedComment } from './forget-comment.js';
export { outboxDirOf, removeMailFilesAfterCommit } from './forget-mail.js';
