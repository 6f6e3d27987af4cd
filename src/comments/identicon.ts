import { createHash, createHmac } from 'node:crypto';

/**
 * Commenter avatars drawn by the site itself: a 5×5 identicon, mirrored left
 * to right, in a colour taken from the hash. No request leaves the site, and
 * no outside service learns who reads or writes here.
 *
 * Gravatar is an opt-in discussion setting, off by default, with its
 * trade-off said on the settings page: every reader's browser asks a third
 * party for each avatar, and Gravatar's URL carries an unkeyed hash of the
 * commenter's email, which anyone holding a list of addresses can match.
 */

const AVATAR_PURPOSE = 'comment-avatar';
const GRID = 5;
const BACKGROUND = '#f0f0f0';

/** 32 lower-case hex digits: the only names /avatars/ answers to. */
export const AVATAR_HASH_PATTERN = /^[0-9a-f]{32}$/;

/**
 * The name of one comment's avatar: an HMAC-SHA256 of the comment's id and
 * the trimmed, lower-cased email, keyed with the site's secret, cut to 128
 * bits. Keyed, because anyone can hash a list of known addresses and match a
 * bare digest. Per comment, not per address: a picture shared by all of one
 * address's comments would let anyone link them (and test a guessed address
 * by posting with it and comparing their own held comment's picture). The
 * picture still tells neighbouring comments apart; the name beside it is
 * what says who wrote it. The purpose prefix keeps these values apart from
 * everything else the same secret signs.
 */
export function avatarHash(secret: string, email: string, commentId: string): string {
  return createHmac('sha256', secret).update(`${AVATAR_PURPOSE}\n${commentId}\n${email.trim().toLowerCase()}`).digest('hex').slice(0, 32);
}

export function avatarPath(hash: string): string {
  return `/avatars/${hash}.svg`;
}

/** Gravatar accepts SHA-256 as well as MD5; it serves its own identicon for an address it does not know. */
const GRAVATAR_BASE = 'https://secure.gravatar.com/avatar/';

/**
 * A commenter's Gravatar, `size` pixels square: the SHA-256 of the trimmed,
 * lower-cased email, as Gravatar hashes it.
 */
export function gravatarUrl(email: string, size: number): string {
  const hash = createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
  return `${GRAVATAR_BASE}${hash}?s=${size}&d=identicon`;
}

/**
 * Which cells are filled, row by row. The first three columns come from the
 * hash (a cell is filled when its hex digit is even) and the last two mirror
 * them, so every face is symmetric, as GitHub's are.
 */
export function identiconCells(hash: string): boolean[][] {
  const half = Math.ceil(GRID / 2);
  const rows: boolean[][] = [];
  for (let row = 0; row < GRID; row += 1) {
    const left: boolean[] = [];
    for (let column = 0; column < half; column += 1) {
      left.push(parseInt(hash[column * GRID + row] ?? '0', 16) % 2 === 0);
    }
    rows.push([...left, ...left.slice(0, GRID - half).reverse()]);
  }
  if (!rows.some((row) => row.includes(true))) rows[Math.floor(GRID / 2)]![Math.floor(GRID / 2)] = true;
  return rows;
}

/** A mid-tone colour from the hash's later digits: any hue, dark enough to read on the light ground. */
export function identiconColour(hash: string): string {
  const hue = (parseInt(hash.slice(16, 19), 16) / 4096) * 360;
  const saturation = 45 + (parseInt(hash[19] ?? '0', 16) / 15) * 20;
  const lightness = 38 + (parseInt(hash[20] ?? '0', 16) / 15) * 12;
  return hslToHex(hue, saturation / 100, lightness / 100);
}

/** The identicon as a standalone SVG document. */
export function identiconSvg(hash: string): string {
  const cells = identiconCells(hash);
  const squares: string[] = [];
  cells.forEach((row, y) =>
    row.forEach((filled, x) => {
      if (filled) squares.push(`M${x} ${y}h1v1h-1z`);
    }),
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-0.5 -0.5 6 6" width="48" height="48" shape-rendering="crispEdges">` +
    `<rect x="-0.5" y="-0.5" width="6" height="6" fill="${BACKGROUND}"/>` +
    `<path fill="${identiconColour(hash)}" d="${squares.join('')}"/>` +
    `</svg>`
  );
}

function hslToHex(hue: number, saturation: number, lightness: number): string {
  const chroma = (1 - Math.abs(2 * lightness - 1)) * saturation;
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    const value = lightness - (chroma / 2) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}
