import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Express } from 'express';
import request from 'supertest';
import { adminApp, type AdminClient } from '../helpers/admin.js';
import { useTestDatabase } from '../helpers/database.js';
import { parsePage, textAt } from '../helpers/html.js';

/** Error pages under /admin for a signed-in admin keep the admin's layout: its navigation, who is signed in, sign-out. */

const testDb = useTestDatabase();
let app: Express;
let admin: AdminClient;

beforeEach(async () => {
  ({ app, admin } = await adminApp(testDb.db));
});

function assertAdminLayout(html: string, status: number) {
  const page = parsePage(html);
  assert.equal(page('body').hasClass('admin'), true, 'the admin layout');
  assert.equal(page('nav.admin-nav a[href="/admin/comments"]').length, 1);
  assert.equal(page('form.admin-signout input[name="_csrf"]').attr('value'), admin.csrf);
  assert.equal(textAt(page, '.error-page__status'), `Error ${status}`);
  assert.equal(page('link[href*="css/site"]').length, 0, 'not the reader layout');
  return page;
}

describe('admin error pages', () => {
  it('404 for an unknown admin address', async () => {
    const response = await admin.agent.get('/admin/no-such-page').expect(404);
    const page = assertAdminLayout(response.text, 404);
    assert.equal(page('.error-page__actions a').attr('href'), '/admin/comments');
  });

  it('404 for a comment that does not exist', async () => {
    const response = await admin.agent.get('/admin/comments/999999/edit').expect(404);
    assertAdminLayout(response.text, 404);
  });

  it('403 for a form without the session’s token', async () => {
    const response = await admin.post('/admin/comments/1/status', { status: 'approved', _csrf: 'forged' }).expect(403);
    assertAdminLayout(response.text, 403);
  });

  it('400 for a form that cannot be read', async () => {
    const response = await admin.agent.post('/admin/comments/bulk').type('form').send('action=approve&ids=%E0%A4%A&_csrf=x');
    assert.ok(response.status >= 400 && response.status < 500, String(response.status));
    assertAdminLayout(response.text, response.status);
  });

  it('keeps the reader layout for a visitor without a session', async () => {
    const response = await request(app).get('/admin/no-such-page');
    if (response.status === 404) {
      const page = parsePage(response.text);
      assert.equal(page('nav.admin-nav').length, 0);
      assert.equal(page('body').hasClass('admin'), false);
    } else {
      assert.equal(response.status, 303);
    }
  });
});
