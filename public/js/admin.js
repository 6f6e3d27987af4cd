// Moderation queue enhancements. Everything here is optional: every action is
// a plain form that works without JavaScript.
(function () {
  'use strict';

  var ROW_KEY = 'broadsheet.queue.row';

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll('[data-queue-row]'));
  }

  function isTyping(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]'));
  }

  function selectedRow() {
    return document.querySelector('[data-queue-row].is-selected');
  }

  function select(row, focus) {
    rows().forEach(function (other) {
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

  function move(step) {
    var list = rows();
    if (list.length === 0) return;
    var index = list.indexOf(selectedRow());
    var next = index === -1 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, index + step));
    select(list[next], true);
  }

  /** Presses the selected row's button for a key; the page reloads, so remember where we were. */
  function press(key) {
    var row = selectedRow();
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
    try {
      window.sessionStorage.setItem(ROW_KEY, String(rows().indexOf(row)));
    } catch (error) {
      // Storage can be unavailable (private mode); the action still happens.
    }
    control.click();
    return true;
  }

  function toggleChecked() {
    var row = selectedRow();
    var box = row && row.querySelector('[data-row-checkbox]');
    if (box) {
      box.checked = !box.checked;
      syncSelectAll();
    }
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) {
      if (event.key === 'Escape' && event.target.matches('[data-reply-text]')) {
        var row = event.target.closest('[data-queue-row]');
        event.target.closest('details').open = false;
        select(row, true);
      }
      return;
    }
    var handled = true;
    switch (event.key) {
      case 'j':
        move(1);
        break;
      case 'k':
        move(-1);
        break;
      case 'x':
        toggleChecked();
        break;
      case 'a':
      case 'u':
      case 's':
      case 't':
      case 'r':
        handled = press(event.key);
        break;
      default:
        handled = false;
    }
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
    if (!holder || rows().length === 0) return;
    holder.hidden = false;
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

  function setUpConfirmations() {
    document.addEventListener('click', function (event) {
      var button = event.target.closest && event.target.closest('[data-confirm]');
      if (button && !window.confirm(button.getAttribute('data-confirm'))) event.preventDefault();
    });
  }

  function restoreSelection() {
    var list = rows();
    var stored = null;
    try {
      stored = window.sessionStorage.getItem(ROW_KEY);
      window.sessionStorage.removeItem(ROW_KEY);
    } catch (error) {
      stored = null;
    }
    if (stored === null || list.length === 0 || document.querySelector('[autofocus]')) return;
    var index = Math.min(list.length - 1, Math.max(0, Number(stored) || 0));
    select(list[index], true);
  }

  function start() {
    if (rows().length === 0 && !document.querySelector('[data-shortcuts]')) return;
    var hint = document.querySelector('[data-shortcuts]');
    if (hint) hint.hidden = false;
    setUpSelectAll();
    setUpConfirmations();
    document.addEventListener('keydown', onKey);
    document.addEventListener('click', function (event) {
      var row = event.target.closest && event.target.closest('[data-queue-row]');
      if (row) select(row, false);
    });
    restoreSelection();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
