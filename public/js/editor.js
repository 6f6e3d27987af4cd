// The article editor's enhancements. Everything here is optional: the form
// saves, schedules and uploads without JavaScript.
(function () {
  'use strict';

  var form = document.querySelector('form[data-editor]');
  if (!form) return;

  var FIELDS = ['title', 'slug', 'body', 'excerpt', 'tags', 'author_name', 'author_id', 'comments_open',
    'figure_image', 'figure_alt', 'figure_caption', 'figure_after', 'publish_at'];
  var AUTOSAVE_FIELDS = ['title', 'body', 'excerpt', 'figure_image', 'figure_alt', 'figure_caption', 'figure_after'];
  var AUTOSAVE_EVERY_MS = 10000;
  var PREVIEW_DELAY_MS = 600;
  var COPY_DELAY_MS = 1000;
  var NEW_ARTICLE_MARK = 'broadsheet:editor:created';

  var articleId = form.getAttribute('data-article-id') || '';
  var copyKey = 'broadsheet:editor:' + (articleId || 'new');
  var body = form.elements.namedItem('body');
  var csrf = form.elements.namedItem('_csrf').value;
  var submitting = false;

  function field(name) {
    return form.elements.namedItem(name);
  }

  function valueOf(name) {
    var element = field(name);
    if (!element) return '';
    return element.type === 'checkbox' ? (element.checked ? '1' : '') : element.value;
  }

  function setValue(name, value) {
    var element = field(name);
    if (!element) return;
    if (element.type === 'checkbox') element.checked = value === '1';
    else element.value = value;
  }

  function typedFields(names) {
    var values = {};
    names.forEach(function (name) { values[name] = valueOf(name); });
    return values;
  }

  function sameFields(a, b) {
    return FIELDS.every(function (name) { return (a[name] || '') === (b[name] || ''); });
  }

  function debounce(action, delay) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(action, delay);
    };
  }

  /** POSTs JSON with the session's token; a redirect (to sign in) is never followed. */
  function postJson(url, payload) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(payload),
    });
  }

  function signedOut(response) {
    return response.type === 'opaqueredirect' || response.status === 401 || response.status === 403;
  }

  // --- A copy of the typed text in this browser, for a session that ends while writing.

  var storage = null;
  try { storage = window.localStorage; } catch (error) { storage = null; }

  function readCopy() {
    try { return storage && JSON.parse(storage.getItem(copyKey) || 'null'); } catch (error) { return null; }
  }

  function keepCopy() {
    if (!storage) return;
    try { storage.setItem(copyKey, JSON.stringify({ savedAt: new Date().toISOString(), fields: typedFields(FIELDS) })); } catch (error) { /* storage full */ }
  }

  function forgetCopy(key) {
    if (storage) storage.removeItem(key || copyKey);
  }

  function offerCopy() {
    if (form.getAttribute('data-just-saved') === 'true') {
      forgetCopy();
      if (window.sessionStorage && sessionStorage.getItem(NEW_ARTICLE_MARK)) {
        forgetCopy('broadsheet:editor:new');
        sessionStorage.removeItem(NEW_ARTICLE_MARK);
      }
      return;
    }
    var copy = readCopy();
    var offer = document.querySelector('[data-local-copy]');
    if (!copy || !copy.fields || !offer || sameFields(copy.fields, typedFields(FIELDS))) return;
    var when = new Date(copy.savedAt);
    offer.querySelector('[data-local-copy-text]').textContent =
      'This browser kept text you typed here on ' + when.toLocaleString() + ' that was not saved.';
    offer.hidden = false;
    offer.querySelector('[data-local-copy-restore]').addEventListener('click', function () {
      FIELDS.forEach(function (name) { if (name in copy.fields) setValue(name, copy.fields[name]); });
      offer.hidden = true;
      changed();
      refreshPreview();
      body.focus();
    });
    offer.querySelector('[data-local-copy-discard]').addEventListener('click', function () {
      forgetCopy();
      offer.hidden = true;
    });
  }

  // --- Live preview of the body, rendered and sanitised by the server as a save would.

  var preview = document.querySelector('[data-preview]');
  var previewBody = document.querySelector('[data-preview-body]');
  var lastPreviewed = null;

  var refreshPreview = debounce(function () {
    var text = body.value;
    if (text === lastPreviewed) return;
    lastPreviewed = text;
    postJson('/admin/articles/preview-body', { body: text, body_format: form.getAttribute('data-body-format') })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        // The HTML comes from the site's own allow-list sanitiser, as stored articles do.
        if (answer && typeof answer.html === 'string' && text === body.value) previewBody.innerHTML = answer.html;
      })
      .catch(function () { lastPreviewed = null; });
  }, PREVIEW_DELAY_MS);

  // --- Autosave into this account's slot (never over the article itself).

  var autosaveUrl = form.getAttribute('data-autosave-url');
  var autosaveStatus = document.querySelector('[data-autosave-status]');
  var changedSinceAutosave = false;

  function autosave() {
    if (!autosaveUrl || !changedSinceAutosave || submitting) return;
    changedSinceAutosave = false;
    postJson(autosaveUrl, typedFields(AUTOSAVE_FIELDS))
      .then(function (response) {
        if (signedOut(response)) throw new Error('signed out');
        return response.ok ? response.json() : Promise.reject(new Error('refused'));
      })
      .then(function (answer) {
        if (autosaveStatus) autosaveStatus.textContent = 'Autosaved ' + answer.savedAtText + '.';
      })
      .catch(function (error) {
        changedSinceAutosave = true;
        if (!autosaveStatus) return;
        autosaveStatus.textContent = error.message === 'signed out'
          ? 'You are signed out: your text is kept in this browser. Sign in again in another tab, then save.'
          : 'Autosave did not work just now; it will try again.';
      });
  }

  // --- Changes: the copy, the autosave flag, the warning before leaving.

  var initial = typedFields(FIELDS);
  var keepCopySoon = debounce(keepCopy, COPY_DELAY_MS);

  function changed() {
    changedSinceAutosave = true;
    keepCopySoon();
  }

  function hasUnsavedChanges() {
    return !sameFields(initial, typedFields(FIELDS));
  }

  form.addEventListener('input', function (event) {
    if (event.target && event.target.type === 'file') return;
    changed();
    if (event.target === body) refreshPreview();
  });
  form.addEventListener('change', changed);

  form.addEventListener('submit', function () {
    submitting = true;
    keepCopy();
    if (!articleId && window.sessionStorage) sessionStorage.setItem(NEW_ARTICLE_MARK, '1');
  });

  window.addEventListener('beforeunload', function (event) {
    if (submitting || !hasUnsavedChanges()) return;
    event.preventDefault();
    event.returnValue = '';
  });

  // Ctrl+S / Cmd+S saves, as in every editor.
  document.addEventListener('keydown', function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === 's' || event.key === 'S')) {
      event.preventDefault();
      var save = form.querySelector('[data-save-button]');
      if (save) save.click();
    }
  });

  // Choosing an account fills the name shown.
  var account = form.querySelector('[data-author-account]');
  if (account) {
    account.addEventListener('change', function () {
      var option = account.options[account.selectedIndex];
      var name = option && option.getAttribute('data-name');
      if (name) setValue('author_name', name);
    });
  }

  // --- Uploading an image without leaving the page.

  var uploadButton = form.querySelector('[data-upload-button]');
  var uploadStatus = form.querySelector('[data-upload-status]');
  var targetRow = form.querySelector('[data-upload-target-row]');
  var target = form.querySelector('[data-upload-target]');
  var fileInput = field('file');
  if (targetRow) targetRow.hidden = false;

  // An image is a paragraph of its own: blank lines around it keep it out of a list or the paragraph at the cursor.
  function insertBlockAtCursor(text) {
    var start = body.selectionStart || 0;
    var end = body.selectionEnd || start;
    var before = body.value.slice(0, start).replace(/\s+$/, '');
    var after = body.value.slice(end).replace(/^\s+/, '');
    var lead = before === '' ? '' : before + '\n\n';
    body.value = lead + text + (after === '' ? '\n' : '\n\n' + after);
    // The placeholder alt text is selected, ready to be typed over.
    body.focus();
    body.setSelectionRange(lead.length + 2, lead.length + 2 + 'Describe the image'.length);
    refreshPreview();
  }

  function useUpload(url) {
    if (target && target.value === 'figure') {
      setValue('figure_image', url);
      field('figure_alt').focus();
      uploadStatus.textContent = 'Uploaded: it is now the figure image. Describe it in Alternative text.';
    } else {
      insertBlockAtCursor('![Describe the image](' + url + ')');
      uploadStatus.textContent = 'Uploaded and placed in the text at the cursor: describe the image in its brackets.';
    }
    fileInput.value = '';
    changed();
  }

  if (uploadButton && fileInput && window.FormData) {
    uploadButton.addEventListener('click', function (event) {
      event.preventDefault();
      if (!fileInput.files || fileInput.files.length === 0) {
        uploadStatus.textContent = 'Choose an image file first.';
        fileInput.focus();
        return;
      }
      var data = new FormData();
      data.append('_csrf', csrf);
      data.append('file', fileInput.files[0]);
      uploadButton.disabled = true;
      uploadStatus.textContent = 'Uploading…';
      fetch('/admin/media', {
        method: 'POST',
        credentials: 'same-origin',
        redirect: 'manual',
        headers: { Accept: 'application/json', 'X-CSRF-Token': csrf },
        body: data,
      })
        .then(function (response) {
          if (response.type === 'opaqueredirect') return { error: 'You are signed out. Sign in again, then upload the image again.' };
          return response.json().catch(function () { return { error: 'The upload failed (' + response.status + ').' }; });
        })
        .then(function (answer) {
          if (answer && answer.url) useUpload(answer.url);
          else uploadStatus.textContent = (answer && answer.error) || 'The upload failed.';
        })
        .catch(function () { uploadStatus.textContent = 'The upload failed: check the connection and try again.'; })
        .then(function () { uploadButton.disabled = false; });
    });
  }

  if (preview && previewBody) {
    preview.hidden = false;
    refreshPreview();
  }
  offerCopy();
  setInterval(autosave, AUTOSAVE_EVERY_MS);
})();
