import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { assetPath, assetSize, buildAssetManifest } from '../../src/platform/http/static-assets.js';
import { publicDir, viewsDir } from '../../src/platform/paths.js';

const sha256Prefix = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 8);

/** Every `assetPath('…')` a template calls with a literal name. */
function assetNamesInViews(folder = viewsDir): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) return assetNamesInViews(file);
    return [...readFileSync(file, 'utf8').matchAll(/assetPath\('([^']+)'\)/g)].map((match) => match[1]!);
  });
}

describe('assetPath', () => {
  it('names a file of public/ by the first 8 hex digits of the SHA-256 of its content', () => {
    assert.equal(assetPath('css/site.css'), `/css/site.${sha256Prefix(path.join(publicDir, 'css/site.css'))}.css`);
    assert.equal(assetPath('js/admin.js'), `/js/admin.${sha256Prefix(path.join(publicDir, 'js/admin.js'))}.js`);
    assert.equal(assetPath('favicon.svg'), `/favicon.${sha256Prefix(path.join(publicDir, 'favicon.svg'))}.svg`);
  });

  it('takes a path with a leading slash, as articles store their figure', () => {
    assert.equal(assetPath('/images/video-call.svg'), assetPath('images/video-call.svg'));
    assert.match(assetPath('/images/video-call.svg'), /^\/images\/video-call\.[0-9a-f]{8}\.svg$/);
  });

  it('leaves a name public/ does not hold as a plain path, so the page still renders', () => {
    assert.equal(assetPath('images/missing.png'), '/images/missing.png');
    assert.equal(assetPath('/images/missing.png'), '/images/missing.png');
  });

  it('knows every file the templates name', () => {
    const names = assetNamesInViews();
    assert.ok(names.length >= 6, `found ${names.join(', ')}`);
    for (const name of names) assert.match(assetPath(name), /\.[0-9a-f]{8}\.[a-z]+$/, `${name} is in public/`);
  });
});

describe('buildAssetManifest', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'assets-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'css'));
  mkdirSync(path.join(root, '.git'));
  writeFileSync(path.join(root, 'css', 'a.css'), 'body { color: red }');
  writeFileSync(path.join(root, 'css', '.hidden.css'), 'secret');
  writeFileSync(path.join(root, '.env'), 'SECRET=1');
  writeFileSync(path.join(root, '.git', 'config'), '[core]');
  writeFileSync(path.join(root, 'noext'), 'plain');
  writeFileSync(path.join(root, 'box.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 30"></svg>');
  writeFileSync(path.join(root, 'sized.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="16" viewBox="0 0 4 2"></svg>');
  const png = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(png);
  png.writeUInt32BE(13, 8);
  png.write('IHDR', 12, 'latin1');
  png.writeUInt32BE(640, 16);
  png.writeUInt32BE(480, 20);
  writeFileSync(path.join(root, 'photo.png'), png);

  const manifest = buildAssetManifest(root);

  it('holds every file but dotfiles and dot-folders', () => {
    assert.deepEqual([...manifest.byName.keys()].sort(), ['box.svg', 'css/a.css', 'noext', 'photo.png', 'sized.svg']);
  });

  it('puts the hash before the extension, or at the end of a name without one', () => {
    const hash = createHash('sha256').update('body { color: red }').digest('hex').slice(0, 8);
    assert.equal(manifest.byName.get('css/a.css')?.hashedPath, `/css/a.${hash}.css`);
    assert.match(manifest.byName.get('noext')?.hashedPath ?? '', /^\/noext\.[0-9a-f]{8}$/);
  });

  it('reads the intrinsic size of SVG and PNG images', () => {
    assert.deepEqual(manifest.byName.get('box.svg')?.size, { width: 40, height: 30 });
    assert.deepEqual(manifest.byName.get('sized.svg')?.size, { width: 32, height: 16 });
    assert.deepEqual(manifest.byName.get('photo.png')?.size, { width: 640, height: 480 });
    assert.equal(manifest.byName.get('css/a.css')?.size, null);
    assert.deepEqual(assetSize('/images/video-call.svg'), { width: 1200, height: 675 });
    assert.equal(assetSize('images/missing.png'), null);
  });
});
