import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import request from 'supertest';
import { connectDatabase } from '../../src/platform/db/connection.js';
import { buildTestApp } from '../helpers/app.js';
import { DEMO_SLUG } from '../helpers/database.js';
import { formFields, parsePage } from '../helpers/html.js';

// Nothing listens on port 1: every query fails at once, as with a stopped server.
const unreachable = connectDatabase('postgres://broadsheet@127.0.0.1:1/broadsheet');
const app = buildTestApp(unreachable);
const ARTICLE = `/articles/${DEMO_SLUG}`;

after(() => unreachable.destroy());

describe('with the database out of reach', () => {
  it('answers pages 503 with Retry-After, in the site layout', async () => {
    const started = Date.now();
    const response = await request(app).get(ARTICLE).expect(503);
    assert.ok(Date.now() - started < 5000);
    assert.equal(response.headers['retry-after'], '5');
    assert.match(response.text, /Temporarily unavailable/);
    assert.match(response.text, /class="site-title"/);
  });

  it('keeps /healthz up and says /readyz is not ready', async () => {
    await request(app).get('/healthz').expect(200);
    const ready = await request(app).get('/readyz').expect(503);
    assert.equal(ready.headers['retry-after'], '5');
  });

  it('gives a commenter their words back in a form that sends them again', async () => {
    const typed = {
      comment: 'Line one.\n\nLine <two> & “three”.',
      author: 'Ada Reader',
      email: 'ada@example.org',
      url: 'https://ada.example.org/',
      parent_id: '',
      submission_id: '3f1c2a8e-0b5d-4c8e-9f1a-2b3c4d5e6f70',
      rendered_at: '1.x',
      remember: 'yes',
    };
    const response = await request(app).post(`${ARTICLE}/comments`).type('form').send(typed).expect(503);
    assert.equal(response.headers['retry-after'], '5');
    const page = parsePage(response.text);
    assert.equal(page('#commentform').attr('action'), `${ARTICLE}/comments`);
    const fields = formFields(page);
    assert.equal(fields.comment, typed.comment);
    assert.equal(fields.author, typed.author);
    assert.equal(fields.email, typed.email);
    assert.equal(fields.url, typed.url);
    assert.equal(fields.submission_id, typed.submission_id, 'a resend is recognised as the same submission');
    assert.match(page('.form-notice').text(), /was not saved/);
  });
});
