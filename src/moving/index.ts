/** What the rest of the app may use of moving: everything else in this folder is its own. */
export { answerWordpressQuery, isWordpressQuery } from './legacy-address-handlers.js';
