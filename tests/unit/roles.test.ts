import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROLE_LABELS, may, mayOnOwnOnly, rolesThatMay, type Permission, type Role } from '../../src/people/roles.js';

/** The contract's roles table: 'all' may, 'own' may on own articles only, 'no' may not. */
type Grant = 'all' | 'own' | 'no';
const TABLE: Record<Permission, Record<Role, Grant>> = {
  comments: { administrator: 'all', editor: 'all', author: 'own', moderator: 'all' },
  blocks: { administrator: 'all', editor: 'all', author: 'no', moderator: 'all' },
  'moderation-log': { administrator: 'all', editor: 'all', author: 'own', moderator: 'all' },
  articles: { administrator: 'all', editor: 'all', author: 'own', moderator: 'no' },
  media: { administrator: 'all', editor: 'all', author: 'all', moderator: 'no' },
  settings: { administrator: 'all', editor: 'no', author: 'no', moderator: 'no' },
  people: { administrator: 'all', editor: 'no', author: 'no', moderator: 'no' },
  'import-export': { administrator: 'all', editor: 'no', author: 'no', moderator: 'no' },
  privacy: { administrator: 'all', editor: 'no', author: 'no', moderator: 'no' },
  account: { administrator: 'all', editor: 'all', author: 'all', moderator: 'all' },
};

describe('roles: the contract table', () => {
  for (const [permission, row] of Object.entries(TABLE) as [Permission, Record<Role, Grant>][]) {
    for (const [role, grant] of Object.entries(row) as [Role, Grant][]) {
      it(`${role} × ${permission} → ${grant}`, () => {
        assert.equal(may(role, permission), grant !== 'no');
        assert.equal(mayOnOwnOnly(role, permission), grant === 'own');
      });
    }
  }

  it('a refusal names the roles that may, most powerful first', () => {
    assert.deepEqual(rolesThatMay('blocks'), ['administrator', 'editor', 'moderator']);
    assert.deepEqual(rolesThatMay('people'), ['administrator']);
  });

  it('every role has a label', () => {
    assert.deepEqual(Object.values(ROLE_LABELS), ['Administrator', 'Editor', 'Author', 'Moderator']);
  });
});
