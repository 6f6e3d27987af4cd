import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADMIN_HOME, safeNextPath } from '../../src/admin-auth/safe-redirect.js';

describe('the next path after sign-in', () => {
  it('keeps a path on this site, with its query and fragment', () => {
    assert.equal(safeNextPath('/admin/comments?status=spam&q=casino'), '/admin/comments?status=spam&q=casino');
    assert.equal(safeNextPath('/admin/log#latest'), '/admin/log#latest');
    assert.equal(safeNextPath('/'), '/');
    assert.equal(safeNextPath('/articles/some-article'), '/articles/some-article');
  });

  it('falls back to the queue when there is nothing usable', () => {
    assert.equal(ADMIN_HOME, '/admin/comments');
    for (const value of [undefined, null, '', 42, ['/admin/log'], { path: '/admin/log' }]) {
      assert.equal(safeNextPath(value), ADMIN_HOME, `for ${JSON.stringify(value)}`);
    }
  });

  it('refuses protocol-relative, backslash and absolute addresses', () => {
    const attempts = [
      '//evil.example',
      '//evil.example/admin/comments',
      '///evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/\\/evil.example',
      'https://evil.example',
      'http://evil.example/admin',
      'HTTPS://evil.example',
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'evil.example',
      ' /admin/comments',
      'moderation/admin/queue',
    ];
    for (const attempt of attempts) assert.equal(safeNextPath(attempt), ADMIN_HOME, `for ${JSON.stringify(attempt)}`);
  });

  it('refuses paths with control characters, which browsers strip before parsing', () => {
    for (const attempt of ['/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/admin\u0000', '/x\u007F']) {
      assert.equal(safeNextPath(attempt), ADMIN_HOME, `for ${JSON.stringify(attempt)}`);
    }
  });

  it('refuses dot segments that normalise into a protocol-relative address', () => {
    for (const attempt of ['/.//evil.example', '/..//evil.example', '/a/..//evil.example', '/%2e//evil.example', '/%2E%2E//evil.example']) {
      const result = safeNextPath(attempt);
      assert.ok(!result.startsWith('//'), `${JSON.stringify(attempt)} became ${JSON.stringify(result)}`);
      assert.equal(result, ADMIN_HOME, `for ${JSON.stringify(attempt)}`);
    }
  });

  it('never sends a fresh sign-in back to the login or logout page', () => {
    for (const attempt of ['/admin/login', '/admin/login?next=%2F%2Fevil.example', '/admin/logout', '/admin/./login']) {
      assert.equal(safeNextPath(attempt), ADMIN_HOME, `for ${JSON.stringify(attempt)}`);
    }
  });

  it('refuses a next longer than 2000 characters', () => {
    assert.equal(safeNextPath(`/admin/comments?q=${'a'.repeat(2000)}`), ADMIN_HOME);
  });
});
