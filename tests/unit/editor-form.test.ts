import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BODY_MAX_BYTES, editorValuesOf, parseEditorForm, type EditorParse } from '../../src/articles/editor-form.js';

/** The form as the editor page sends it: every field, the box ticked. */
const FORM = {
  _csrf: 'token',
  article_id: '',
  version: '3',
  title: 'A title',
  slug: '',
  body: 'Some *text*.',
  excerpt: '',
  tags: 'Asia, Politics',
  author_name: 'Kareem Salem',
  author_id: '',
  comments_open: '1',
  figure_image: '',
  figure_alt: '',
  figure_caption: '',
  figure_after: '1',
  publish_at: '',
  file: '',
  action: 'save',
};

const parse = (changes: Record<string, unknown> = {}, timeZone = 'UTC') => parseEditorForm({ ...FORM, ...changes }, timeZone);

function accepted(parsed: EditorParse) {
  assert.ok(parsed.ok, parsed.ok ? '' : `refused: ${JSON.stringify(parsed.errors)}`);
  return parsed.submission;
}

function errorsOf(parsed: EditorParse) {
  assert.ok(!parsed.ok, 'expected the form to be refused');
  return parsed.errors;
}

describe('an editor form that meets the rules', () => {
  it('becomes a submission: trimmed text, null for empty optional fields, the version as a number', () => {
    const submission = accepted(parse({ title: '  A title  ', slug: ' My-Slug ', excerpt: ' ', figure_caption: ' Source ' }));
    assert.equal(submission.title, 'A title');
    assert.equal(submission.slug, 'my-slug');
    assert.equal(submission.excerpt, null);
    assert.deepEqual(submission.figure, { image: null, alt: null, caption: 'Source', afterParagraph: 1 });
    assert.deepEqual(submission.tags, [
      { name: 'Asia', slug: 'asia' },
      { name: 'Politics', slug: 'politics' },
    ]);
    assert.equal(submission.commentsOpen, true);
    assert.equal(submission.version, 3);
    assert.equal(submission.action, 'save');
    assert.equal(submission.publishAt, null);
  });

  it('reads an empty slug as "make one", an unticked box as closed, a missing action as save, an empty version as none', () => {
    const submission = accepted(parse({ comments_open: undefined, action: undefined, version: '' }));
    assert.equal(submission.slug, null);
    assert.equal(submission.commentsOpen, false);
    assert.equal(submission.action, 'save');
    assert.equal(submission.version, null);
  });

  it('reads publish_at in the site’s time zone, only when scheduling', () => {
    assert.equal(
      accepted(parse({ action: 'schedule', publish_at: '2031-01-15T09:30' }, 'America/New_York')).publishAt?.toISOString(),
      '2031-01-15T14:30:00.000Z',
    );
    assert.equal(accepted(parse({ action: 'publish', publish_at: 'nonsense' })).publishAt, null);
  });

  it('takes an account without a typed name, and a bundled or uploaded figure image with its alt text', () => {
    assert.equal(accepted(parse({ author_name: '', author_id: '42' })).authorId, '42');
    assert.equal(accepted(parse({ figure_image: '/media/abc123.webp', figure_alt: 'A map' })).figure.image, '/media/abc123.webp');
  });
});

describe('a refused editor form', () => {
  it('names every failing field at once', () => {
    const errors = errorsOf(parse({ title: '', slug: 'Bad Slug', figure_image: '/images/x.svg', figure_alt: '', figure_after: 'two' }));
    assert.deepEqual(Object.keys(errors).sort(), ['figure_after', 'figure_alt', 'slug', 'title']);
  });

  it('keeps every value as typed, untrimmed', () => {
    const parsed = parse({ title: '', body: '  spaced  ', tags: ' a ,b ' });
    assert.ok(!parsed.ok);
    assert.equal(parsed.values.body, '  spaced  ');
    assert.equal(parsed.values.tags, ' a ,b ');
    assert.equal(parsed.values.comments_open, true);
  });

  for (const [label, changes, field] of [
    ['a title of 301 characters', { title: 'x'.repeat(301) }, 'title'],
    ['a slug with a double hyphen', { slug: 'a--b' }, 'slug'],
    ['a body over 1 MB', { body: 'é'.repeat(BODY_MAX_BYTES / 2 + 1) }, 'body'],
    ['a NUL byte', { excerpt: 'a\u0000b' }, 'excerpt'],
    ['an image outside the site', { figure_image: 'https://example.com/a.png', figure_alt: 'x' }, 'figure_image'],
    ['an image path that climbs out', { figure_image: '/images/../secrets', figure_alt: 'x' }, 'figure_image'],
    ['no author', { author_name: ' ', author_id: '' }, 'author_name'],
    ['an account id that is no id', { author_id: 'admin' }, 'author_id'],
    ['a figure place over the limit', { figure_after: '1001' }, 'figure_after'],
    ['a schedule without a time', { action: 'schedule', publish_at: '' }, 'publish_at'],
    ['a schedule at no such time', { action: 'schedule', publish_at: '2031-02-30T10:00' }, 'publish_at'],
    ['an unknown action', { action: 'delete' }, 'action'],
    ['a field sent twice', { title: ['one', 'two'] }, 'title'],
    ['a field the form does not have', { status: 'published' }, 'form'],
    ['a version that is no number', { version: 'x' }, 'form'],
  ] as const) {
    it(`refuses ${label}, at ${field}`, () => {
      const errors = errorsOf(parse(changes));
      assert.ok(errors[field as keyof typeof errors], `expected an error at ${field}, got ${JSON.stringify(errors)}`);
    });
  }
});

describe('editorValuesOf', () => {
  it('shows anything that is not one string as empty', () => {
    const values = editorValuesOf({ title: ['a', 'b'], body: 'kept', comments_open: 'yes' });
    assert.equal(values.title, '');
    assert.equal(values.body, 'kept');
    assert.equal(values.comments_open, false);
    assert.equal(editorValuesOf(undefined).slug, '');
  });
});
