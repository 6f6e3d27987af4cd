/** What the rest of the app may use of feeds: everything else in this folder is its own. */
export { ARTICLES_IN_FEED, articleFeed, sendAtom } from './feed-handlers.js';
