/**
 * The shapes of what routes take from a URL or a form, in one place: a row id
 * (PostgreSQL bigint, no leading zero), an article slug and a page number.
 */
export const ID_PATTERN = /^[1-9]\d{0,17}$/;
export const SLUG_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const PAGE_NUMBER_PATTERN = /^[1-9]\d{0,5}$/;

export const isId = (value: unknown): value is string => typeof value === 'string' && ID_PATTERN.test(value);
export const isPageNumber = (value: unknown): value is string => typeof value === 'string' && PAGE_NUMBER_PATTERN.test(value);
