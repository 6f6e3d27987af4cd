/** What the rest of the app may use of settings: everything else in this folder is its own. */
export type { AvatarSource, DiscussionSettings } from './discussion-settings.js';
export { loadDiscussionSettings } from './settings-queries.js';
