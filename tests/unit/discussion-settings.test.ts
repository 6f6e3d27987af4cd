import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_DISCUSSION_SETTINGS, settingsFromStored } from '../../src/settings/discussion-settings.js';

describe('the avatar source setting', () => {
  it('is the site’s own identicons unless Gravatar was chosen', () => {
    assert.equal(DEFAULT_DISCUSSION_SETTINGS.avatarSource, 'local');
    assert.equal(settingsFromStored({}).avatarSource, 'local', 'settings saved before the option existed');
    assert.equal(settingsFromStored({ avatarSource: 'gravatar' }).avatarSource, 'gravatar');
  });

  it('falls back to identicons when what is stored is not an offered source', () => {
    for (const stored of ['Gravatar', 'https://avatars.example/', '', null, 1, ['gravatar']]) {
      assert.equal(settingsFromStored({ avatarSource: stored, showAvatars: false }).avatarSource, 'local', JSON.stringify(stored));
    }
    assert.equal(settingsFromStored({ avatarSource: 'nope', showAvatars: false }).showAvatars, false, 'the other keys are still read');
  });
});

describe('the site time zone setting', () => {
  it('is UTC unless a zone the runtime lists was chosen', () => {
    assert.equal(DEFAULT_DISCUSSION_SETTINGS.timeZone, 'UTC');
    assert.equal(settingsFromStored({}).timeZone, 'UTC', 'settings saved before the option existed');
    assert.equal(settingsFromStored({ timeZone: 'Europe/Paris' }).timeZone, 'Europe/Paris');
    for (const stored of ['Mars/Olympus', 'europe/paris', '', null, 1, ['UTC']]) {
      assert.equal(settingsFromStored({ timeZone: stored }).timeZone, 'UTC', JSON.stringify(stored));
    }
  });
});
