import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import sharp from 'sharp';
import { adminApp, type AdminClient } from '../helpers/admin.js';
import { useTestDatabase } from '../helpers/database.js';
import { formFields, parsePage, squash } from '../helpers/html.js';
import { MEDIA_EXTENSIONS } from '../../src/media/media-names.js';
import {
  GPS_MARKER,
  SVG_WITH_SCRIPT,
  animatedGif,
  photoWithLocation,
  sampleImage,
  truncatedJpeg,
} from '../fixtures/images/sample-images.js';

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
});

const CONTENT_TYPES = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif' };

interface UploadOptions {
  filename?: string;
  contentType?: string;
  /** How the token is sent; `none` sends none. */
  token?: 'field' | 'header' | 'none' | 'wrong';
}

/** What the editor's script sends: the token, then the file, asking for JSON. */
function upload(
  bytes: Buffer,
  { filename = 'picture.bin', contentType = 'application/octet-stream', token = 'field' }: UploadOptions = {},
) {
  const post = admin.agent.post('/admin/media').set('Accept', 'application/json');
  if (token === 'header') post.set('X-CSRF-Token', admin.csrf);
  if (token === 'field') post.field('_csrf', admin.csrf);
  if (token === 'wrong') post.field('_csrf', 'not-the-token');
  return post.attach('file', bytes, { filename, contentType });
}

async function uploaded(bytes: Buffer, options?: UploadOptions): Promise<string> {
  const response = await upload(bytes, options).expect(201).expect('Content-Type', /json/);
  const { url } = response.body as { url: string };
  return url;
}

async function mediaRows() {
  return testDb.db('media').select('hash', 'ext', 'width', 'height', 'byte_size', 'original_name', 'uploaded_by').orderBy('id');
}

async function setUploadLimit(megabytes: number) {
  await testDb.db('settings').insert({ key: 'discussion', value: JSON.stringify({ mediaMaxBytes: megabytes * 1024 * 1024 }) });
}

describe('POST /admin/media: what is accepted', () => {
  for (const ext of MEDIA_EXTENSIONS) {
    it(`a ${ext} upload is stored and answered with its address, served as ${CONTENT_TYPES[ext]}`, async () => {
      const url = await uploaded(await sampleImage(ext, 640, 400), { filename: `holiday.${ext}` });
      assert.match(url, new RegExp(`^/media/[0-9a-f]{32}\\.${ext}$`));
      const served = await request(app).get(url).expect(200).expect('Content-Type', CONTENT_TYPES[ext]);
      assert.equal((await sharp(served.body as Buffer).metadata()).width, 640);
      const [row] = await mediaRows();
      assert.deepEqual(
        { ...row, byte_size: undefined },
        {
          hash: url.slice(7, 39),
          ext,
          width: 640,
          height: 400,
          byte_size: undefined,
          original_name: `holiday.${ext}`,
          uploaded_by: admin.user.id,
        },
      );
    });
  }

  it('decides the type from the bytes: a PNG named .jpg and sent as image/jpeg is a PNG', async () => {
    const url = await uploaded(await sampleImage('png', 100, 80), { filename: 'plage été.jpg', contentType: 'image/jpeg' });
    assert.match(url, /\.png$/);
    await request(app).get(url).expect(200).expect('Content-Type', 'image/png');
    assert.equal((await mediaRows())[0]!.original_name, 'plage été.jpg', 'the name as typed, for reference only');
  });

  it('the same file sent twice has one address and one row', async () => {
    const bytes = await sampleImage('jpg', 800, 600);
    const first = await uploaded(bytes);
    const again = await upload(bytes, { filename: 'renamed.jpg' }).expect(200);
    assert.deepEqual(again.body, { url: first });
    assert.equal((await mediaRows()).length, 1);
    assert.equal(Number((await testDb.db('media_variants').count({ n: '*' }))[0]!.n), 2, 'full size and 480');
  });
});

describe('POST /admin/media: what is refused', () => {
  it('SVG, even named .png: 422 in JSON, nothing stored', async () => {
    const response = await upload(SVG_WITH_SCRIPT, { filename: 'logo.png', contentType: 'image/png' }).expect(422);
    assert.match((response.body as { error: string }).error, /SVG images are not accepted/);
    assert.deepEqual(await mediaRows(), []);
  });

  it('a file that is no image, and a damaged image: 422', async () => {
    const text = await upload(Buffer.from('just some text'), { filename: 'notes.jpg' }).expect(422);
    assert.match((text.body as { error: string }).error, /not an image this site accepts/);
    const damaged = await upload(await truncatedJpeg(), { filename: 'cut.jpg' }).expect(422);
    assert.match((damaged.body as { error: string }).error, /damaged or incomplete/);
    assert.deepEqual(await mediaRows(), []);
  });

  it('no file at all: 422', async () => {
    const response = await admin.agent.post('/admin/media').set('Accept', 'application/json').field('_csrf', admin.csrf).expect(422);
    assert.match((response.body as { error: string }).error, /Choose an image/);
  });

  it('a file over the limit of the settings (10 MB by default): 413, saying the limit', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0xff);
    const response = await upload(big, { filename: 'huge.jpg' }).expect(413);
    assert.match((response.body as { error: string }).error, /up to 10 MB/);
    await setUploadLimit(1);
    const jpeg = await sampleImage('jpg', 1500, 1500);
    assert.ok(jpeg.length < 1024 * 1024, 'a small JPEG fits');
    await uploaded(jpeg);
    const overOne = await upload(Buffer.concat([jpeg, Buffer.alloc(1024 * 1024)]), { filename: 'padded.jpg' }).expect(413);
    assert.match((overOne.body as { error: string }).error, /up to 1 MB/);
    assert.equal((await mediaRows()).length, 1);
  });
});

describe('POST /admin/media: who may upload', () => {
  it('the CSRF token may come as a field before the file or as an X-CSRF-Token header', async () => {
    await uploaded(await sampleImage('png', 50, 50), { token: 'field' });
    await uploaded(await sampleImage('png', 60, 60), { token: 'header' });
    assert.equal((await mediaRows()).length, 2);
  });

  it('without the token, or with a wrong one: 403, nothing stored', async () => {
    const bytes = await sampleImage('png', 50, 50);
    const missing = await upload(bytes, { token: 'none' }).expect(403);
    assert.match((missing.body as { error: string }).error, /expired|did not come from this site/);
    await upload(bytes, { token: 'wrong' }).expect(403);
    await admin.agent.post('/admin/media').set('X-CSRF-Token', 'forged').attach('file', bytes, 'a.png').expect(403);
    assert.deepEqual(await mediaRows(), []);
  });

  it('without a session: a form is sent to sign in (303), a script gets 401', async () => {
    const bytes = await sampleImage('png', 50, 50);
    await request(app)
      .post('/admin/media')
      .field('_csrf', admin.csrf)
      .attach('file', bytes, 'a.png')
      .expect(303)
      .expect('Location', /^\/admin\/login/);
    const script = await request(app)
      .post('/admin/media')
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', admin.csrf)
      .attach('file', bytes, 'a.png')
      .expect(401);
    assert.match((script.body as { error: string }).error, /Sign in again/);
    assert.deepEqual(await mediaRows(), []);
  });
});

describe('what is served', () => {
  it('no EXIF location or camera, full size or narrower, and the photo stands upright', async () => {
    const url = await uploaded(await photoWithLocation(1200, 800), { filename: 'beach.jpg' });
    for (const address of [url, url.replace('.jpg', '-480.jpg')]) {
      const bytes = (await request(app).get(address).expect(200)).body as Buffer;
      assert.ok(!bytes.includes(GPS_MARKER) && !bytes.includes('TestCam'), `${address} carries no metadata`);
      const metadata = await sharp(bytes).metadata();
      assert.equal(metadata.exif, undefined);
      assert.ok(metadata.height > metadata.width, 'turned upright');
    }
  });

  it('narrower copies at their own addresses, smaller; none wider than the image', async () => {
    const url = await uploaded(await sampleImage('webp', 1700, 900));
    const full = (await request(app).get(url).expect(200)).body as Buffer;
    let previous = 0;
    for (const width of [480, 960, 1600]) {
      const copy = (
        await request(app)
          .get(url.replace('.webp', `-${width}.webp`))
          .expect(200)
          .expect('Content-Type', 'image/webp')
      ).body as Buffer;
      assert.equal((await sharp(copy).metadata()).width, width);
      assert.ok(copy.length < full.length && copy.length > previous, `${width}: ${copy.length} of ${full.length} bytes`);
      previous = copy.length;
    }
    await request(app).get(url.replace('.webp', '-1700.webp')).expect(404);
    await request(app).get(url.replace('.webp', '-800.webp')).expect(404);
  });

  it('cached for good, with its type, an ETag, nosniff; HEAD and revalidation read no bytes', async () => {
    const url = await uploaded(await animatedGif(600, 400));
    const response = await request(app)
      .get(url)
      .expect(200)
      .expect('Content-Type', 'image/gif')
      .expect('Cache-Control', 'public, max-age=31536000, immutable')
      .expect('X-Content-Type-Options', 'nosniff');
    const etag = response.headers.etag as string;
    assert.match(etag, /^"[0-9a-f]{32}-full"$/);
    assert.equal((await sharp(response.body as Buffer, { animated: true }).metadata()).pages, 3, 'still animated');
    assert.equal(response.headers['set-cookie'], undefined, 'no session for readers');
    const head = await request(app).head(url).expect(200).expect('Content-Type', 'image/gif');
    assert.equal(Number(head.headers['content-length']), (response.body as Buffer).length);
    await request(app).get(url).set('If-None-Match', etag).expect(304);
  });

  it('404 for an unknown image, a wrong extension, or a name this site does not make', async () => {
    const url = await uploaded(await sampleImage('png', 100, 100));
    for (const address of [
      `/media/${'0'.repeat(32)}.png`,
      url.replace('.png', '.jpg'),
      url.replace('.png', '.PNG'),
      `${url}.png`,
      '/media/..%2Fpackage.json',
      '/media/x.png',
    ]) {
      const response = await request(app).get(address).expect(404);
      assert.equal(response.headers.etag, undefined, address);
    }
  });
});

describe('article bodies show stored uploads with their sizes and srcset', () => {
  it('lookUpMedia finds them in one query; the saved body gets width, height, srcset and sizes', async () => {
    const { lookUpMedia, mediaUrlsIn } = await import('../../src/media/index.js');
    const { prepareArticleBody } = await import('../../src/articles/article-body.js');
    const wide = await uploaded(await sampleImage('jpg', 2000, 1000));
    const small = await uploaded(await sampleImage('png', 300, 200));
    const body = `Intro.\n\n![A wide view](${wide})\n\n<img src="${small}" alt="small" width="150">\n\n![elsewhere](/media/${'a'.repeat(32)}.jpg)`;
    assert.deepEqual(mediaUrlsIn(body), [wide, small, `/media/${'a'.repeat(32)}.jpg`]);
    const media = await lookUpMedia(testDb.db, mediaUrlsIn(body));
    assert.deepEqual([...media.keys()], [wide, small]);
    const stem = wide.slice(0, -4);
    assert.deepEqual(media.get(wide), {
      url: wide,
      width: 2000,
      height: 1000,
      srcset: `${stem}-480.jpg 480w, ${stem}-960.jpg 960w, ${stem}-1600.jpg 1600w, ${wide} 2000w`,
    });
    const page = parsePage(prepareArticleBody(body, 'markdown', null, media).html);
    const image = page(`img[src="${wide}"]`);
    assert.equal(image.attr('width'), '2000');
    assert.equal(image.attr('height'), '1000');
    assert.equal(image.attr('srcset'), media.get(wide)!.srcset);
    assert.match(image.attr('sizes') ?? '', /vw/);
    const smallImage = page(`img[src="${small}"]`);
    assert.deepEqual([smallImage.attr('width'), smallImage.attr('height'), smallImage.attr('srcset')], ['150', '100', undefined]);
    for (const candidate of media.get(wide)!.srcset.split(', ')) {
      await request(app).get(candidate.split(' ')[0]!).expect(200).expect('Content-Type', 'image/jpeg');
    }
  });
});

describe('the upload limit setting', () => {
  const SETTINGS = '/admin/settings/discussion';

  it('shows 10 MB by default in a Media section, and a saved limit applies to the next upload', async () => {
    const page = parsePage((await admin.agent.get(SETTINGS).expect(200)).text);
    assert.equal(page('#media_max_mb').attr('value'), '10');
    assert.match(squash(page('label[for="media_max_mb"]').text()), /Largest image upload/);
    assert.ok(page('h2').filter((_i, heading) => page(heading).text() === 'Media').length === 1);
    const fields = formFields(page, 'form.settings-form');
    await admin.post(SETTINGS, { ...fields, media_max_mb: '2' }).expect(303);
    const stored = await testDb.db('settings').where({ key: 'discussion' }).first<{ value: { mediaMaxBytes: number } }>();
    assert.equal(stored.value.mediaMaxBytes, 2 * 1024 * 1024);
    assert.equal(parsePage((await admin.agent.get(SETTINGS).expect(200)).text)('#media_max_mb').attr('value'), '2');
    const response = await upload(Buffer.alloc(2 * 1024 * 1024 + 10), { filename: 'a.jpg' }).expect(413);
    assert.match((response.body as { error: string }).error, /up to 2 MB/);
  });

  it('refuses a limit out of range with 422 at its field, keeping what was typed', async () => {
    const page = parsePage((await admin.agent.get(SETTINGS).expect(200)).text);
    const fields = formFields(page, 'form.settings-form');
    const refused = parsePage((await admin.post(SETTINGS, { ...fields, media_max_mb: '500' }).expect(422)).text);
    assert.match(squash(refused('#media_max_mb-error').text()), /from 1 to 50/);
    assert.equal(refused('#media_max_mb').attr('value'), '500');
    assert.equal(refused('#media_max_mb').attr('aria-invalid'), 'true');
  });
});

/** The editor's form without JavaScript: every field, with the file among them. */
function editorUpload(bytes: Buffer, filename: string) {
  return admin.agent
    .post('/admin/media')
    .field('_csrf', admin.csrf)
    .field('article_id', '')
    .field('title', 'A day at the beach')
    .field('body', 'Sand, and *sea*.')
    .attach('file', bytes, filename)
    .field('excerpt', 'Typed after the file')
    .field('figure_image', '');
}

describe('the editor without JavaScript', () => {
  it('gets the editor back with the new image as the figure and every field as typed', async () => {
    const response = await editorUpload(await sampleImage('jpg', 700, 500), 'beach.jpg').expect(201);
    const page = parsePage(response.text);
    const [row] = await mediaRows();
    const url = `/media/${String(row!.hash)}.jpg`;
    assert.equal(page('#figure_image').attr('value'), url);
    assert.equal(page('#title').attr('value'), 'A day at the beach');
    assert.equal(page('#body').text(), 'Sand, and *sea*.');
    assert.equal(page('#excerpt').text(), 'Typed after the file');
  });

  it('a refused file comes back on the editor with the reason and every field, even those after the file', async () => {
    await setUploadLimit(1);
    const tooBig = await editorUpload(Buffer.alloc(1024 * 1024 + 1), 'huge.jpg').expect(413);
    const page = parsePage(tooBig.text);
    assert.match(squash(page('main').text()), /this site accepts images of up to 1 MB/);
    assert.equal(page('#title').attr('value'), 'A day at the beach');
    assert.equal(page('#excerpt').text(), 'Typed after the file');
    const wrongType = parsePage((await editorUpload(SVG_WITH_SCRIPT, 'logo.svg').expect(422)).text);
    assert.match(squash(wrongType('main').text()), /SVG images are not accepted/);
    assert.equal(wrongType('#body').text(), 'Sand, and *sea*.');
    assert.deepEqual(await mediaRows(), []);
  });
});
