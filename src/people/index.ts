/** What the rest of the app may use of people: everything else in this folder is its own. */
export { recordAccountEvent } from './account-events.js';
export { keepCommentsOwnedBy, refuseCommentsNotOwned } from './ownership.js';
export { notYourArticle, ownerScope } from './permissions.js';
export { permissionsOf } from './roles.js';
