/** View models of the moderation pages (everything under /admin but sign-in). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AdminPageModels {}
