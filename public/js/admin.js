// Moderation queue enhancements. Everything here is optional: every action is
// a plain form that works without JavaScript.
(function () {
  'use strict';

  var BULK_KEYS = { A: 'approve', S: 'spam', T: 'trash' };
  var ROW_KEYS = ['a', 'u', 's', 't'];

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll('[data-queue-row]'));
  }

  function rowOf(element) {
    return element && element.closest ? element.closest('[data-queue-row]') : null;
  }

  function isTyping(target) {
    if (!target || !target.closest) return false;
    // A checkbox or button with focus still takes shortcuts: only fields that take text (or a choice) keep their keys.
    var field = 'input:not([type="checkbox"]):not([type="radio"]):not([type="submit"]):not([type="button"]), textarea, select';
    return Boolean(target.closest(field + ', [contenteditable=""], [contenteditable="true"]'));
  }

  /** Single-key shortcuts are an account setting (WCAG 2.1.4): the page says whether they are on. */
  function shortcutsOn() {
    var main = document.querySelector('[data-queue-shortcuts]');
    return Boolean(main) && main.getAttribute('data-queue-shortcuts') === 'on';
  }

  function selectedRow() {
    return document.querySelector('[data-queue-row].is-selected');
  }

  function select(row, focus) {
    rows().forEach(function (other) {
      if (other === row) return;
      other.classList.remove('is-selected');
      other.removeAttribute('aria-current');
    });
    if (!row) return;
    row.classList.add('is-selected');
    row.setAttribute('aria-current', 'true');
    if (focus) {
      row.focus({ preventScroll: true });
      row.scrollIntoView({ block: 'nearest' });
    }
  }

  /** The row a key acts on: the one holding focus, so a key never reaches a row off screen. */
  function currentRow() {
    return rowOf(document.activeElement) || selectedRow();
  }

  function move(step) {
    var list = rows();
    if (list.length === 0) return;
    var index = list.indexOf(currentRow());
    var next = index === -1 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, index + step));
    select(list[next], true);
  }

  function press(key) {
    var row = currentRow();
    if (!row) return false;
    var control = row.querySelector('[data-key="' + key + '"]');
    if (!control) return false;
    if (key === 'r') {
      var details = control.closest('details');
      if (details) details.open = true;
      var text = row.querySelector('[data-reply-text]');
      if (text) text.focus();
      return true;
    }
    control.click();
    return true;
  }

  function toggleChecked() {
    var row = currentRow();
    var box = row && row.querySelector('[data-row-checkbox]');
    if (box) {
      box.checked = !box.checked;
      syncSelectAll();
    }
  }

  /** Shift+A/S/T: the bulk action on the checked rows, through the bulk form. */
  function bulk(action) {
    var form = document.getElementById('bulk-form');
    var choice = form && form.querySelector('select[name="action"] option[value="' + action + '"]');
    if (!choice || document.querySelectorAll('[data-row-checkbox]:checked').length === 0) return false;
    form.querySelector('select[name="action"]').value = action;
    document.querySelectorAll('select[name="action2"]').forEach(function (other) {
      other.value = '';
    });
    form.requestSubmit();
    return true;
  }

  function undo() {
    var form = document.querySelector('.flash__undo');
    if (!form) return false;
    form.requestSubmit();
    return true;
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) {
      if (event.key === 'Escape' && event.target.matches('[data-reply-text]')) {
        var row = rowOf(event.target);
        event.target.closest('details').open = false;
        select(row, true);
      }
      return;
    }
    if (!shortcutsOn()) return;
    var handled = true;
    if (event.shiftKey && BULK_KEYS[event.key]) handled = bulk(BULK_KEYS[event.key]);
    else if (event.key === 'j') move(1);
    else if (event.key === 'k') move(-1);
    else if (event.key === 'x') toggleChecked();
    else if (event.key === 'z') handled = undo();
    else if (event.key === 'e' || event.key === 'r' || ROW_KEYS.indexOf(event.key) !== -1) handled = press(event.key);
    else handled = false;
    if (handled) event.preventDefault();
  }

  var selectAll = null;

  function syncSelectAll() {
    if (!selectAll) return;
    var boxes = document.querySelectorAll('[data-row-checkbox]');
    var checked = document.querySelectorAll('[data-row-checkbox]:checked').length;
    selectAll.checked = boxes.length > 0 && checked === boxes.length;
    selectAll.indeterminate = checked > 0 && checked < boxes.length;
  }

  function setUpSelectAll() {
    var holder = document.querySelector('[data-select-all]');
    if (!holder) return;
    holder.hidden = rows().length === 0;
    selectAll = holder.querySelector('input');
    selectAll.addEventListener('change', function () {
      document.querySelectorAll('[data-row-checkbox]').forEach(function (box) {
        box.checked = selectAll.checked;
      });
    });
    document.addEventListener('change', function (event) {
      if (event.target.matches && event.target.matches('[data-row-checkbox]')) syncSelectAll();
    });
  }

  /** The bulk form's question before trashing checked rows that have approved replies. */
  function bulkTrashQuestion(form, submitter) {
    var bottom = submitter && submitter.value === 'bottom';
    var select = bottom ? document.querySelector('select[name="action2"]') : form.querySelector('select[name="action"]');
    var action = select && select.value ? select.value : '';
    if (action !== 'trash') return null;
    var replies = 0;
    document.querySelectorAll('[data-row-checkbox]:checked').forEach(function (box) {
      var row = rowOf(box);
      replies += Number(row && row.getAttribute('data-approved-replies')) || 0;
    });
    if (replies === 0) return null;
    return form.getAttribute('data-trash-confirm').replace('N', String(replies));
  }

  function setUpConfirmations() {
    document.addEventListener('click', function (event) {
      var button = event.target.closest && event.target.closest('[data-confirm]');
      if (button && !window.confirm(button.getAttribute('data-confirm'))) event.preventDefault();
    });
  }

  /** Puts the fresh page's live parts (flash, tabs, counts, list, pager, the nav badge) in place of ours. */
  function swapLiveParts(fresh) {
    document.querySelectorAll('[data-live]').forEach(function (part) {
      var replacement = fresh.getElementById(part.id);
      if (replacement) part.innerHTML = replacement.innerHTML;
    });
    var badge = document.getElementById('admin-pending-count');
    var freshBadge = fresh.getElementById('admin-pending-count');
    if (badge && freshBadge) badge.innerHTML = freshBadge.innerHTML;
    else if (badge) badge.remove();
    setUpSelectAll();
  }

  /**
   * Sends a row's form (or Undo) by fetch and updates the page from the queue
   * page the action redirects to, so the moderator keeps their place. Any
   * failure falls back to the ordinary submission.
   */
  function submitInPlace(form, submitter) {
    var list = rows();
    var actedRow = rowOf(form);
    var index = actedRow ? list.indexOf(actedRow) : list.indexOf(currentRow());
    var checked = Array.prototype.map.call(document.querySelectorAll('[data-row-checkbox]:checked'), function (box) {
      return box.value;
    });
    var body = new URLSearchParams(new FormData(form, submitter));
    var action = (submitter && submitter.getAttribute('formaction')) || form.getAttribute('action');
    form.setAttribute('aria-busy', 'true');
    return fetch(action, { method: 'POST', body: body, credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (response) {
        if (!response.ok || !response.redirected) throw new Error('not the queue');
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html');
        if (!fresh.getElementById('queue-list')) throw new Error('not the queue');
        swapLiveParts(fresh);
        checked.forEach(function (id) {
          var box = document.querySelector('[data-row-checkbox][value="' + id + '"]');
          if (box) box.checked = true;
        });
        syncSelectAll();
        var now = rows();
        var same = actedRow && document.getElementById(actedRow.id);
        var next = same || now[Math.min(Math.max(index, 0), now.length - 1)];
        if (next) select(next, true);
        else document.getElementById('queue-flash').focus();
      })
      .catch(function () {
        form.removeAttribute('data-in-place');
        if (submitter) submitter.click();
        else form.submit();
      })
      .finally(function () {
        form.removeAttribute('aria-busy');
      });
  }

  function setUpForms() {
    document.addEventListener('submit', function (event) {
      var form = event.target;
      if (form.id === 'bulk-form') {
        var question = bulkTrashQuestion(form, event.submitter);
        if (question && !window.confirm(question)) event.preventDefault();
        return;
      }
      var inPlace = form.matches('[data-in-place]') || form.matches('.flash__undo');
      if (!inPlace || !window.fetch || !window.DOMParser) return;
      event.preventDefault();
      submitInPlace(form, event.submitter);
    });
  }

  function start() {
    setUpConfirmations();
    if (!document.querySelector('[data-queue-shortcuts]')) return;
    var hint = document.querySelector('[data-shortcuts]');
    if (hint) hint.hidden = false;
    var flash = document.getElementById('queue-flash');
    if (flash) flash.setAttribute('tabindex', '-1');
    setUpSelectAll();
    setUpForms();
    document.addEventListener('keydown', onKey);
    // Selection follows focus: Tab into a row and the keys act on that row.
    document.addEventListener('focusin', function (event) {
      var row = rowOf(event.target);
      if (row) select(row, false);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
