import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import type { Database } from '../../src/platform/db/connection.js';
import { insertUser, type UserRow } from '../../src/admin-auth/user-queries.js';
import argon2 from 'argon2';
import { buildTestApp } from './app.js';

export const ADMIN_PASSWORD = 'correct horse battery staple';

export type AdminAgent = ReturnType<typeof request.agent>;

export interface AdminClient {
  agent: AdminAgent;
  /** The session's synchroniser token, as the admin pages print it. */
  csrf: string;
  user: UserRow;
  /** POSTs url-encoded pairs (repeat a name to repeat a field), with this session's token unless `_csrf` is given. */
  post(path: string, pairs?: Array<[string, string]> | Record<string, string>): request.Test;
}

/** The `_csrf` value of the first form on an admin page. */
export function csrfOf(html: string): string {
  const match = /<input type="hidden" name="_csrf" value="([^"]+)">/.exec(html);
  assert.ok(match, 'expected a hidden _csrf field on the page');
  return match[1]!;
}

/** POSTs url-encoded pairs as a browser sends a form. */
export function postForm(agent: AdminAgent, path: string, pairs: Array<[string, string]> | Record<string, string>) {
  const entries = Array.isArray(pairs) ? pairs : Object.entries(pairs);
  return agent.post(path).type('form').send(new URLSearchParams(entries).toString());
}

let adminPasswordHash: Promise<string> | undefined;

/**
 * ADMIN_PASSWORD hashed once per process, as argon2id with the smallest
 * memory and time argon2 takes: every sign-in verifies the password at the
 * cost its hash was made with, and the suite signs in several hundred
 * times. The production parameters are tested where accounts are really
 * made (admin-cli, admin-auth, passwords).
 */
export function hashedAdminPassword(): Promise<string> {
  adminPasswordHash ??= argon2.hash(ADMIN_PASSWORD, { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 });
  return adminPasswordHash;
}

/** A new staff account whose password is ADMIN_PASSWORD, named `username` and signing as `displayName`. */
export async function insertAdmin(db: Database, username: string, displayName = username): Promise<UserRow> {
  return insertUser(db, { username, display_name: displayName, password_hash: await hashedAdminPassword() });
}

/**
 * Creates an admin and signs in through the real form, then reads the token
 * the queue page prints (sign-in issues a fresh one).
 */
export async function signInAdmin(app: Express, db: Database, username = 'moderator'): Promise<AdminClient> {
  const user = await insertAdmin(db, username);
  const agent = request.agent(app);
  const form = await agent.get('/admin/login').expect(200);
  await agent
    .post('/admin/login')
    .type('form')
    .send({ username, password: ADMIN_PASSWORD, _csrf: csrfOf(form.text) })
    .expect(303)
    .expect('Location', '/admin/comments');
  const queue = await agent.get('/admin/comments').expect(200);
  const csrf = csrfOf(queue.text);
  return {
    agent,
    csrf,
    user,
    post(path, pairs = []) {
      const entries = Array.isArray(pairs) ? pairs : Object.entries(pairs);
      const withToken = entries.some(([name]) => name === '_csrf') ? entries : [...entries, ['_csrf', csrf] as [string, string]];
      return postForm(agent, path, withToken);
    },
  };
}

/** A fresh app over the test database with a signed-in admin. */
export async function adminApp(db: Database, username?: string) {
  const app = buildTestApp(db);
  return { app, admin: await signInAdmin(app, db, username) };
}
