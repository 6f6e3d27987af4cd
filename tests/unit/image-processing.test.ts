import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { ImageRefused, MAX_PIXELS, processImage, sourceHashOf } from '../../src/media/image-processing.js';
import { MEDIA_EXTENSIONS } from '../../src/media/media-names.js';
import {
  GPS_MARKER,
  SVG_WITH_SCRIPT,
  animatedGif,
  photoWithLocation,
  pngClaiming,
  sampleImage,
  truncatedJpeg,
} from '../fixtures/images/sample-images.js';

const FORMAT_OF = { jpg: 'jpeg', png: 'png', webp: 'webp', gif: 'gif', avif: 'heif' } as const;

async function refusal(input: Buffer): Promise<string> {
  const error = await processImage(input).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof ImageRefused, `expected ImageRefused, got ${String(error)}`);
  return error.message;
}

describe('processImage: what is accepted', () => {
  for (const ext of MEDIA_EXTENSIONS) {
    it(`a ${ext} image keeps its format, at full size and each narrower width`, async () => {
      const image = await processImage(await sampleImage(ext, 1200, 800));
      assert.equal(image.ext, ext);
      assert.match(image.hash, /^[0-9a-f]{32}$/);
      assert.deepEqual(
        image.renditions.map(({ width, height }) => [width, height]),
        [
          [1200, 800],
          [480, 320],
          [960, 640],
        ],
      );
      for (const rendition of image.renditions) {
        const metadata = await sharp(rendition.bytes).metadata();
        assert.equal(metadata.format, FORMAT_OF[ext]);
        assert.equal(metadata.width, rendition.width);
      }
    });
  }

  it('the hash names the stored full-size bytes', async () => {
    const image = await processImage(await sampleImage('png', 300, 200));
    assert.equal(image.hash, sourceHashOf(image.renditions[0]!.bytes).slice(0, 32));
    assert.equal(image.renditions.length, 1, 'no copies wider than the image itself');
  });

  it('narrower copies are smaller files', async () => {
    const image = await processImage(await sampleImage('jpg', 2000, 1000));
    assert.deepEqual(
      image.renditions.map(({ width }) => width),
      [2000, 480, 960, 1600],
    );
    const [full, ...copies] = image.renditions;
    for (const copy of copies) assert.ok(copy.bytes.length < full!.bytes.length, `${copy.width}: ${copy.bytes.length} bytes`);
  });

  it('the type is read from the bytes alone', async () => {
    assert.equal((await processImage(await sampleImage('webp', 100, 50))).ext, 'webp');
  });
});

describe('processImage: what is served of a photo', () => {
  it('has no EXIF, GPS position or camera left, and stands upright', async () => {
    const photo = await photoWithLocation(1200, 800);
    assert.ok(photo.includes(GPS_MARKER), 'the upload carries its location');
    assert.equal((await sharp(photo).metadata()).orientation, 6);
    const image = await processImage(photo);
    assert.deepEqual(
      image.renditions.map(({ width, height }) => [width, height]),
      [
        [800, 1200],
        [480, 720],
      ],
      'turned by its orientation: 800 wide, 1200 high',
    );
    for (const { bytes } of image.renditions) {
      const metadata = await sharp(bytes).metadata();
      assert.equal(metadata.exif, undefined);
      assert.equal(metadata.xmp, undefined);
      assert.equal(metadata.orientation, undefined);
      assert.ok(!bytes.includes(GPS_MARKER) && !bytes.includes('TestCam'));
    }
  });

  it('an animated GIF stays animated, each frame resized', async () => {
    const image = await processImage(await animatedGif(600, 400));
    assert.deepEqual(
      image.renditions.map(({ width, height }) => [width, height]),
      [
        [600, 400],
        [480, 320],
      ],
    );
    const copy = await sharp(image.renditions[1]!.bytes, { animated: true }).metadata();
    assert.equal(copy.pages, 3);
    assert.equal(copy.pageHeight, 320);
    assert.deepEqual(copy.delay, [100, 100, 100]);
  });
});

describe('processImage: what is refused', () => {
  it('SVG, whatever it claims to be', async () => {
    assert.match(await refusal(SVG_WITH_SCRIPT), /SVG images are not accepted/);
  });

  it('other image types (TIFF) and things that are no image', async () => {
    assert.match(
      await refusal(
        await sharp(await sampleImage('png', 20, 20))
          .tiff()
          .toBuffer(),
      ),
      /not accepted.*JPEG, PNG, WebP, GIF or AVIF/,
    );
    assert.match(await refusal(Buffer.from('%PDF-1.4 not an image at all')), /not an image this site accepts/);
  });

  it('a damaged image whose header still reads', async () => {
    assert.match(await refusal(await truncatedJpeg()), /damaged or incomplete/);
  });

  it('an image claiming more pixels than can be processed, before decoding it', async () => {
    const side = Math.ceil(Math.sqrt(MAX_PIXELS)) + 1;
    const bomb = pngClaiming(side, side);
    assert.ok(bomb.length < 200);
    assert.equal((await sharp(bomb).metadata()).width, side, 'the header reads');
    assert.match(await refusal(bomb), /too many pixels/);
  });
});
