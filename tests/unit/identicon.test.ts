import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  AVATAR_HASH_PATTERN,
  avatarHash,
  avatarPath,
  gravatarUrl,
  identiconCells,
  identiconColour,
  identiconSvg,
} from '../../src/comments/identicon.js';

const SECRET = 'a-site-secret-that-is-long-enough-1234';

describe('avatarHash', () => {
  it('is 32 hex digits, the same for one comment’s email however it is cased or padded', () => {
    const hash = avatarHash(SECRET, 'Ada@Example.org', '7');
    assert.match(hash, AVATAR_HASH_PATTERN);
    assert.equal(avatarHash(SECRET, '  ada@example.ORG \n', '7'), hash);
  });

  it('differs between emails', () => {
    assert.notEqual(avatarHash(SECRET, 'ada@example.org', '7'), avatarHash(SECRET, 'bob@example.org', '7'));
  });

  it('differs between two comments of one address, so their pictures do not link them', () => {
    assert.notEqual(avatarHash(SECRET, 'ada@example.org', '7'), avatarHash(SECRET, 'ada@example.org', '8'));
    assert.notEqual(avatarHash(SECRET, 'ada@example.org', '17'), avatarHash(SECRET, 'ada@example.org', '1'));
  });

  it('is keyed: not a bare SHA-256 or MD5 of the email, and another secret gives another hash', () => {
    const email = 'ada@example.org';
    const hash = avatarHash(SECRET, email, '7');
    assert.notEqual(hash, createHash('sha256').update(email).digest('hex').slice(0, 32));
    assert.notEqual(hash, createHash('md5').update(email).digest('hex'));
    assert.notEqual(hash, avatarHash('another-secret-entirely-0123456789', email, '7'));
  });

  it('names the avatar route', () => {
    assert.equal(avatarPath('0123456789abcdef0123456789abcdef'), '/avatars/0123456789abcdef0123456789abcdef.svg');
  });
});

describe('identicon', () => {
  const hashes = ['0123456789abcdef0123456789abcdef', avatarHash(SECRET, 'ada@example.org', '7'), 'f'.repeat(32), '0'.repeat(32)];

  it('is a 5×5 grid, mirrored left to right, with at least one cell filled', () => {
    for (const hash of hashes) {
      const cells = identiconCells(hash);
      assert.equal(cells.length, 5);
      for (const row of cells) {
        assert.equal(row.length, 5);
        assert.deepEqual(row, [...row].reverse(), `row of ${hash} is symmetric`);
      }
      assert.ok(cells.flat().includes(true), `${hash} draws something`);
    }
  });

  it('reads its cells from the hash: even digits fill', () => {
    // Column c, row r comes from digit c*5+r: the first column is digits 0–4.
    const cells = identiconCells('02468' + '13579' + '0f0f0' + 'a'.repeat(17));
    assert.deepEqual(
      cells.map((row) => row[0]),
      [true, true, true, true, true],
    );
    assert.deepEqual(
      cells.map((row) => row[1]),
      [false, false, false, false, false],
    );
    assert.deepEqual(
      cells.map((row) => row[2]),
      [true, false, true, false, true],
    );
  });

  it('takes a colour from the hash, a six-digit hex mid-tone', () => {
    const colours = new Set(hashes.map(identiconColour));
    for (const colour of colours) assert.match(colour, /^#[0-9a-f]{6}$/);
    assert.ok(colours.size > 1, 'different hashes, different colours');
    assert.equal(identiconColour(hashes[1]!), identiconColour(hashes[1]!));
  });

  it('draws the same SVG for the same hash, with one square per filled cell and no outside reference', () => {
    const hash = hashes[1]!;
    const svg = identiconSvg(hash);
    assert.equal(svg, identiconSvg(hash));
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* width="48" height="48"/);
    assert.ok(svg.includes(`fill="${identiconColour(hash)}"`));
    const squares = svg.match(/M\d \dh1v1h-1z/g) ?? [];
    assert.equal(squares.length, identiconCells(hash).flat().filter(Boolean).length);
    assert.doesNotMatch(svg, /href|<script|url\(/);
  });
});

describe('gravatarUrl', () => {
  it('names the SHA-256 of the trimmed, lower-cased email at Gravatar, with a size and an identicon fallback', () => {
    const expected = createHash('sha256').update('ada@example.org').digest('hex');
    assert.equal(gravatarUrl('  Ada@Example.ORG\n', 96), `https://secure.gravatar.com/avatar/${expected}?s=96&d=identicon`);
    assert.equal(gravatarUrl('ada@example.org', 48), `https://secure.gravatar.com/avatar/${expected}?s=48&d=identicon`);
  });

  it('is not the keyed hash the site’s own identicons use', () => {
    assert.ok(!gravatarUrl('ada@example.org', 96).includes(avatarHash(SECRET, 'ada@example.org', '7')));
  });
});
