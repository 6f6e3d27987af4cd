import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMENT_LIMITS, normaliseWebsite, parseCommentForm, type CommentFormResult } from '../../src/comments/comment-form.js';

const SUBMISSION_ID = '3f1c2a9e-5b7d-4e21-9c3a-0d6f8b2e4a17';

/** A form as the browser sends it when everything is filled in well. */
function form(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    comment: 'Well argued.',
    author: 'Ada Reader',
    email: 'ada@example.org',
    url: 'https://ada.example.org/',
    parent_id: '',
    submission_id: SUBMISSION_ID,
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete fields[key];
    else fields[key] = value;
  }
  return fields;
}

function accepted(result: CommentFormResult) {
  assert.ok(result.ok, `expected the form to be accepted, got ${JSON.stringify(!result.ok && result.errors)}`);
  return result.submission;
}

function refused(result: CommentFormResult) {
  assert.ok(!result.ok, 'expected the form to be refused');
  return result.errors;
}

/** Exactly these fields are refused, each with a message. */
function assertRefusedFields(result: CommentFormResult, fields: string[]) {
  const errors = refused(result);
  assert.deepEqual(Object.keys(errors).sort(), [...fields].sort());
  for (const field of fields) assert.ok((errors as Record<string, string>)[field]!.length > 0, `a message for ${field}`);
  return errors;
}

const emoji = '😀';

/** Only the named keys: the form may carry more fields than a test is about. */
function pick<T extends object, K extends keyof T>(value: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, value[key]])) as Pick<T, K>;
}

describe('parseCommentForm: a good form', () => {
  it('gives the submission, with trimmed text and no parent', () => {
    const submission = accepted(
      parseCommentForm(
        form({
          comment: '  Well argued.\n\nSecond paragraph.  ',
          author: '  Ada Reader ',
          email: ' ada@example.org ',
          url: ' https://ada.example.org/ ',
        }),
      ),
    );
    assert.deepEqual(pick(submission, ['body', 'authorName', 'authorEmail', 'authorUrl', 'remember', 'parentId', 'submissionId']), {
      body: 'Well argued.\n\nSecond paragraph.',
      authorName: 'Ada Reader',
      authorEmail: 'ada@example.org',
      authorUrl: 'https://ada.example.org/',
      remember: false,
      parentId: null,
      submissionId: SUBMISSION_ID,
    });
  });

  it('keeps every typed value exactly as typed for showing the form again', () => {
    const result = parseCommentForm(form({ comment: '  spaced  ', author: ' Ada ', remember: 'yes' }));
    assert.deepEqual(pick(result.values, ['comment', 'author', 'email', 'url', 'remember', 'parent_id', 'submission_id']), {
      comment: '  spaced  ',
      author: ' Ada ',
      email: 'ada@example.org',
      url: 'https://ada.example.org/',
      remember: true,
      parent_id: '',
      submission_id: SUBMISSION_ID,
    });
  });

  it('accepts an empty website and a missing remember box', () => {
    const submission = accepted(parseCommentForm(form({ url: '' })));
    assert.equal(submission.authorUrl, '');
    assert.equal(submission.remember, false);
  });

  it('reads remember=yes as asking to be remembered', () => {
    assert.equal(accepted(parseCommentForm(form({ remember: 'yes' }))).remember, true);
  });

  it('refuses a remember value the form never sends', () => {
    assertRefusedFields(parseCommentForm(form({ remember: 'on' })), ['form']);
  });

  it('treats a missing or empty submission id as none, and refuses one that is not a UUID', () => {
    assert.equal(accepted(parseCommentForm(form({ submission_id: undefined }))).submissionId, null);
    assert.equal(accepted(parseCommentForm(form({ submission_id: '' }))).submissionId, null);
    assertRefusedFields(parseCommentForm(form({ submission_id: 'not-a-uuid' })), ['form']);
  });
});

describe('parseCommentForm: required fields', () => {
  for (const [field, message] of [
    ['comment', 'Type your comment.'],
    ['author', 'Enter your name.'],
    ['email', 'Enter your email address.'],
  ] as const) {
    it(`refuses a missing ${field}, an empty one and one of spaces only`, () => {
      for (const value of [undefined, '', '   \n\t ']) {
        const errors = assertRefusedFields(parseCommentForm(form({ [field]: value })), [field]);
        assert.equal(errors[field], message);
      }
    });
  }

  it('reports every bad field at once', () => {
    assertRefusedFields(parseCommentForm(form({ comment: '', author: '', email: 'nope', url: 'javascript:alert(1)' })), [
      'comment',
      'author',
      'email',
      'url',
    ]);
  });

  it('refuses a body that is not an object', () => {
    for (const body of [undefined, null, 'comment=hi', ['comment', 'hi'], 42]) {
      assertRefusedFields(parseCommentForm(body), ['comment', 'author', 'email']);
    }
  });
});

describe('parseCommentForm: length limits, counted in characters', () => {
  it('has the contract limits', () => {
    assert.deepEqual(COMMENT_LIMITS, { author: 245, email: 100, url: 200, comment: 65525 });
  });

  it('accepts a name of 245 characters and refuses 246', () => {
    assert.equal(accepted(parseCommentForm(form({ author: 'n'.repeat(245) }))).authorName, 'n'.repeat(245));
    const errors = assertRefusedFields(parseCommentForm(form({ author: 'n'.repeat(246) })), ['author']);
    assert.match(errors.author!, /245/);
  });

  it('counts an emoji in a name as one character', () => {
    assert.equal(accepted(parseCommentForm(form({ author: emoji.repeat(245) }))).authorName, emoji.repeat(245));
    assertRefusedFields(parseCommentForm(form({ author: emoji.repeat(246) })), ['author']);
  });

  it('measures the name after trimming', () => {
    assert.equal(accepted(parseCommentForm(form({ author: `  ${'n'.repeat(245)}  ` }))).authorName, 'n'.repeat(245));
  });

  it('accepts an email of 100 characters and refuses 101', () => {
    const at100 = `${'e'.repeat(88)}@example.com`;
    assert.equal(at100.length, 100);
    assert.equal(accepted(parseCommentForm(form({ email: at100 }))).authorEmail, at100);
    const errors = assertRefusedFields(parseCommentForm(form({ email: `e${at100}` })), ['email']);
    assert.match(errors.email!, /100/);
  });

  it('accepts a website of 200 characters and refuses 201', () => {
    const at200 = `https://example.com/${'p'.repeat(180)}`;
    assert.equal(at200.length, 200);
    assert.equal(accepted(parseCommentForm(form({ url: at200 }))).authorUrl, at200);
    const errors = assertRefusedFields(parseCommentForm(form({ url: `${at200}p` })), ['url']);
    assert.match(errors.url!, /200/);
  });

  it('counts an emoji in a website as one character', () => {
    const at200 = `https://example.com/${emoji.repeat(180)}`;
    assert.equal(accepted(parseCommentForm(form({ url: at200 }))).authorUrl, at200);
    assertRefusedFields(parseCommentForm(form({ url: `${at200}${emoji}` })), ['url']);
  });

  it('accepts a comment of 65,525 characters and refuses 65,526', () => {
    assert.equal(accepted(parseCommentForm(form({ comment: 'c'.repeat(65525) }))).body.length, 65525);
    const errors = assertRefusedFields(parseCommentForm(form({ comment: 'c'.repeat(65526) })), ['comment']);
    assert.match(errors.comment!, /65,525/);
  });

  it('counts an emoji in a comment as one character', () => {
    assert.equal(accepted(parseCommentForm(form({ comment: emoji.repeat(65525) }))).body, emoji.repeat(65525));
    assertRefusedFields(parseCommentForm(form({ comment: emoji.repeat(65526) })), ['comment']);
  });

  it('refuses an over-long value rather than cutting it', () => {
    const result = parseCommentForm(form({ comment: 'c'.repeat(70000) }));
    refused(result);
    assert.equal(result.values.comment.length, 70000, 'the typed text is kept whole for the form');
  });
});

describe('parseCommentForm: email', () => {
  for (const bad of [
    'not-an-email',
    'ada@',
    '@example.org',
    'ada@example',
    'ada example@example.org',
    'ada@@example.org',
    '<ada@example.org>',
  ]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      const errors = assertRefusedFields(parseCommentForm(form({ email: bad })), ['email']);
      assert.match(errors.email!, /correct format/);
    });
  }

  it('accepts an ordinary address with a plus and subdomains', () => {
    assert.equal(accepted(parseCommentForm(form({ email: 'ada+news@mail.example.co.uk' }))).authorEmail, 'ada+news@mail.example.co.uk');
  });

  it('accepts an internationalised domain, kept as typed', () => {
    for (const address of ['info@grå.org', 'ada@bücher.example', 'user@例え.jp', 'info@xn--gr-zia.org']) {
      assert.equal(accepted(parseCommentForm(form({ email: address }))).authorEmail, address);
    }
  });

  it('still refuses a domain IDNA cannot spell', () => {
    for (const bad of ['ada@grå', 'ada@grå..org', 'ada@grå.org.', 'ada@exå mple.org']) {
      assertRefusedFields(parseCommentForm(form({ email: bad })), ['email']);
    }
  });
});

describe('parseCommentForm: website', () => {
  for (const bad of [
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    '  javascript:alert(document.cookie)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'ftp://example.com/file',
    'mailto:ada@example.org',
    'file:///etc/passwd',
    'http://',
  ]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      const errors = assertRefusedFields(parseCommentForm(form({ url: bad })), ['url']);
      assert.match(errors.url!, /http:\/\/ or https:\/\//);
    });
  }

  it('gives a bare domain https://', () => {
    assert.equal(accepted(parseCommentForm(form({ url: 'example.com' }))).authorUrl, 'https://example.com');
    assert.equal(accepted(parseCommentForm(form({ url: ' www.example.com/about ' }))).authorUrl, 'https://www.example.com/about');
    assert.equal(accepted(parseCommentForm(form({ url: '//example.com/x' }))).authorUrl, 'https://example.com/x');
    assert.equal(normaliseWebsite('example.com'), 'https://example.com');
  });

  it('keeps http:// and https:// addresses as typed (trimmed)', () => {
    assert.equal(accepted(parseCommentForm(form({ url: 'http://example.com/a?b=c#d' }))).authorUrl, 'http://example.com/a?b=c#d');
    assert.equal(accepted(parseCommentForm(form({ url: ' https://example.com ' }))).authorUrl, 'https://example.com');
  });
});

describe('parseCommentForm: what a browser form never sends', () => {
  it('refuses a repeated field (an array) rather than picking one', () => {
    for (const field of ['comment', 'author', 'email', 'url', 'parent_id']) {
      const errors = assertRefusedFields(parseCommentForm(form({ [field]: ['a@example.org', 'b@example.org'] })), [field]);
      assert.match(errors[field as 'author']!, /more than once/);
    }
    assertRefusedFields(parseCommentForm(form({ submission_id: [SUBMISSION_ID, SUBMISSION_ID] })), ['form']);
    assertRefusedFields(parseCommentForm(form({ remember: ['yes', 'yes'] })), ['form']);
  });

  it('refuses a nested object in place of a value', () => {
    assertRefusedFields(parseCommentForm(form({ author: { first: 'Ada' } })), ['author']);
    assertRefusedFields(parseCommentForm(form({ comment: 42 })), ['comment']);
  });

  it('refuses unknown keys', () => {
    const errors = assertRefusedFields(parseCommentForm(form({ status: 'approved' })), ['form']);
    assert.match(errors.form!, /fields it does not have/);
    assertRefusedFields(parseCommentForm(form({ constructor: 'x' })), ['form']);
    assertRefusedFields(parseCommentForm(form({ 'author[first]': 'Ada' })), ['form']);
  });

  it('refuses a __proto__ key and is not polluted by it', () => {
    const body = JSON.parse(
      `{"comment":"Hi","author":"Ada","email":"ada@example.org","url":"","__proto__":{"remember":"yes","parent_id":"5"}}`,
    ) as Record<string, unknown>;
    assert.ok(Object.hasOwn(body, '__proto__'));
    const result = parseCommentForm(body);
    assertRefusedFields(result, ['form']);
    assert.equal(result.values.remember, false);
    assert.equal(result.values.parent_id, '');
    assert.equal(({} as Record<string, unknown>).remember, undefined, 'Object.prototype untouched');

    const nullPrototype = Object.assign(Object.create(null) as Record<string, unknown>, form());
    nullPrototype['__proto__'] = 'x';
    assertRefusedFields(parseCommentForm(nullPrototype), ['form']);
  });

  it('accepts a body with a null prototype, as some parsers make', () => {
    const body = Object.assign(Object.create(null) as Record<string, unknown>, form());
    accepted(parseCommentForm(body));
  });

  it('refuses NUL and other control characters in every text field', () => {
    for (const field of ['comment', 'author', 'email', 'url']) {
      for (const bad of ['\u0000', '\u0007', '\u001b', '\u007f']) {
        const value = field === 'email' ? `ada${bad}@example.org` : field === 'url' ? `https://example.com/${bad}` : `bad${bad}value`;
        assertRefusedFields(parseCommentForm(form({ [field]: value })), [field]);
      }
    }
  });

  it('refuses the noncharacters in every text field, and never shows them again', () => {
    for (const field of ['comment', 'author', 'email', 'url']) {
      for (const bad of ['\uFFFE', '\uFFFF', '\uFDD0', '\uFDEF', '\u{1FFFE}', '\u{10FFFF}']) {
        const value = field === 'email' ? `ada${bad}@example.org` : field === 'url' ? `https://example.com/${bad}` : `bad${bad}value`;
        const result = parseCommentForm(form({ [field]: value }));
        assertRefusedFields(result, [field]);
        assert.equal((result.values as unknown as Record<string, string>)[field], value.replace(bad, ''));
      }
    }
    assert.equal(
      accepted(parseCommentForm(form({ comment: 'near misses \uFDCF \uFDF0 \uFFFD \u{1FFFD}' }))).body,
      'near misses \uFDCF \uFDF0 \uFFFD \u{1FFFD}',
    );
  });

  it('takes the bidirectional controls out of a name, and nowhere else', () => {
    const controls = '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C';
    const submission = accepted(
      parseCommentForm(form({ author: `Eve \u202Egnp.exe\u202C ${controls}Reader`, comment: `Eve \u202Egnp.exe\u202C` })),
    );
    assert.equal(submission.authorName, 'Eve gnp.exe Reader');
    assert.equal(submission.body, 'Eve \u202Egnp.exe\u202C');
    assertRefusedFields(parseCommentForm(form({ author: ` ${controls} ` })), ['author']);
    assert.equal(accepted(parseCommentForm(form({ author: 'عائشة \u200D' }))).authorName, 'عائشة \u200D');
  });

  it('allows tabs and line breaks in a comment', () => {
    assert.equal(accepted(parseCommentForm(form({ comment: 'one\ttwo\r\nthree\n\nfour' }))).body, 'one\ttwo\r\nthree\n\nfour');
  });
});

describe('parseCommentForm: parent_id', () => {
  it('reads an empty or zero parent as a top-level comment', () => {
    assert.equal(accepted(parseCommentForm(form({ parent_id: '' }))).parentId, null);
    assert.equal(accepted(parseCommentForm(form({ parent_id: '0' }))).parentId, null);
    assert.equal(accepted(parseCommentForm(form({ parent_id: undefined }))).parentId, null);
  });

  it('reads a positive whole number as the comment replied to', () => {
    assert.equal(accepted(parseCommentForm(form({ parent_id: '42' }))).parentId, '42');
    assert.equal(accepted(parseCommentForm(form({ parent_id: '900719925474099312' }))).parentId, '900719925474099312');
  });

  for (const bad of ['abc', '-1', '1.5', '01', ' 7', '7 ', '1e3', '0x10', '9'.repeat(19), '42; DROP TABLE comments']) {
    it(`refuses parent_id ${JSON.stringify(bad)}`, () => {
      assertRefusedFields(parseCommentForm(form({ parent_id: bad })), ['parent_id']);
    });
  }
});
