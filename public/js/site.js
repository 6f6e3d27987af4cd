// Progressive enhancement for reader pages. Everything works without it.
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  function readingBar() {
    var bar = document.querySelector('.reading-bar');
    var article = document.querySelector('.post');
    if (!bar || !article) return;
    var fill = bar.querySelector('.reading-bar__fill');
    var scheduled = false;
    var last = -1;

    function update() {
      scheduled = false;
      var rect = article.getBoundingClientRect();
      var readable = rect.height - window.innerHeight + bar.offsetHeight;
      var progress = readable <= 0 ? (rect.top < window.innerHeight ? 1 : 0) : -rect.top / readable;
      progress = Math.min(1, Math.max(0, progress));
      var percent = Math.round(progress * 100);
      if (fill) fill.style.setProperty('--reading-progress', String(progress));
      if (percent !== last) {
        last = percent;
        bar.setAttribute('aria-valuenow', String(percent));
        bar.setAttribute('aria-valuetext', percent + '% read');
      }
    }
    function schedule() {
      if (!scheduled) {
        scheduled = true;
        window.requestAnimationFrame(update);
      }
    }
    window.addEventListener('scroll', schedule, { passive: true });
    window.addEventListener('resize', schedule, { passive: true });
    update();
  }

  // As WordPress's comment-reply.js: move the form under the comment being answered.
  function replyLinks() {
    var respond = document.getElementById('respond');
    var home = document.getElementById('respond-home');
    var parentField = document.getElementById('comment_parent');
    var cancel = document.getElementById('cancel-comment-reply-link');
    var title = document.querySelector('.comment-reply-title__text');
    var textarea = document.getElementById('comment');
    if (!respond || !home || !parentField || !cancel || !title) return;
    var originalTitle = 'Leave a Reply';

    document.addEventListener('click', function (event) {
      var link = event.target instanceof Element ? event.target.closest('.comment-reply-link') : null;
      if (!link) return;
      var id = link.getAttribute('data-comment-id');
      var body = document.getElementById('div-comment-' + id);
      if (!id || !body) return;
      event.preventDefault();
      body.insertAdjacentElement('afterend', respond);
      parentField.value = id;
      title.textContent = 'Reply to ' + (link.getAttribute('data-author') || '');
      cancel.hidden = false;
      if (textarea) textarea.focus();
    });

    cancel.addEventListener('click', function (event) {
      if (parentField.value === '' && respond.previousElementSibling === home) return;
      event.preventDefault();
      home.insertAdjacentElement('afterend', respond);
      parentField.value = '';
      title.textContent = originalTitle;
      cancel.hidden = true;
      respond.scrollIntoView({ block: 'start' });
    });
  }

  // GOV.UK's pattern: focus the error summary, and let its links focus the field.
  function errorSummary() {
    var summary = document.querySelector('.error-summary');
    if (!summary) return;
    summary.focus();
    summary.addEventListener('click', function (event) {
      var link = event.target instanceof Element ? event.target.closest('a[href^="#"]') : null;
      if (!link) return;
      var field = document.getElementById(link.getAttribute('href').slice(1));
      if (!field) return;
      event.preventDefault();
      field.scrollIntoView({ block: 'center' });
      field.focus();
    });
  }

  readingBar();
  replyLinks();
  errorSummary();
})();
