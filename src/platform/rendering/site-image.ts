/**
 * The site's own picture (its og:image), for pages and articles that have
 * none of their own. The layout names it on every page; the articles' social
 * meta and JSON-LD fall back to it.
 */
export const SITE_IMAGE_PATH = '/images/video-call.svg';
