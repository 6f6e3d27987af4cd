// Progressive enhancement for the reader pages. Every feature here also works
// without this file: the reading bar shows its label, Reply links load
// ?replytocom=<id>#respond, and error-summary links are plain anchors.
(() => {
  'use strict';

  document.documentElement.classList.add('js');

  /**
   * The reading bar fills as the article (.post) scrolls past: empty while the
   * article's top is below the bar, full once its end is on screen.
   */
  const setUpReadingBar = () => {
    const bar = document.querySelector('.reading-bar');
    const article = document.querySelector('.post');
    if (!bar || !article) return;

    let scheduled = false;
    let shownPercent = -1;

    const progress = () => {
      const box = article.getBoundingClientRect();
      const barHeight = bar.offsetHeight;
      // Scroll positions, relative to now, at which reading starts and ends.
      const start = box.top - barHeight;
      const end = box.bottom - window.innerHeight;
      if (end <= start) return end <= 0 ? 1 : 0;
      return Math.min(1, Math.max(0, -start / (end - start)));
    };

    const update = () => {
      scheduled = false;
      const value = progress();
      // Floor, so the bar reads 100 only once the article's end is really in view.
      const percent = Math.floor(value * 100 + 1e-6);
      bar.style.setProperty('--reading-progress', value.toFixed(4));
      if (percent !== shownPercent) {
        shownPercent = percent;
        bar.setAttribute('aria-valuenow', String(percent));
        bar.setAttribute('aria-valuetext', `${percent}% read`);
      }
    };

    const schedule = () => {
      if (scheduled) return;
      scheduled = true;
      window.requestAnimationFrame(update);
    };

    window.addEventListener('scroll', schedule, { passive: true });
    window.addEventListener('resize', schedule, { passive: true });
    window.addEventListener('load', schedule);
    if ('ResizeObserver' in window) new ResizeObserver(schedule).observe(article);
    update();
  };

  /**
   * Reply links, as WordPress's comment-reply.js does them: the form moves
   * under the comment being answered and comes back home on Cancel.
   */
  const setUpReplyLinks = () => {
    const respond = document.getElementById('respond');
    const home = document.getElementById('respond-home');
    const parentField = document.getElementById('comment_parent');
    const cancel = document.getElementById('cancel-comment-reply-link');
    const title = document.querySelector('.comment-reply-title__text');
    if (!respond || !home || !parentField || !cancel || !title) return;

    const leaveAReply = 'Leave a Reply';
    let openedFrom = null;

    const commentBodyOf = (id) => {
      const item = document.getElementById(`comment-${id}`);
      return (item && item.querySelector(':scope > .comment-body')) || document.getElementById(`div-comment-${id}`);
    };

    document.addEventListener('click', (event) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const link = event.target instanceof Element ? event.target.closest('a.comment-reply-link') : null;
      if (!link) return;
      const id = link.dataset.commentId;
      const body = id ? commentBodyOf(id) : null;
      // Without the form or the comment, the link's own URL does the job.
      if (!body || !document.getElementById('commentform')) return;
      event.preventDefault();

      body.after(respond);
      parentField.value = id;
      // The name in a <bdi>, as the server writes it: its direction controls stay inside it.
      const name = document.createElement('bdi');
      name.textContent = link.dataset.author || '';
      title.replaceChildren('Reply to ', name);
      cancel.hidden = false;
      openedFrom = link;
      const textarea = document.getElementById('comment');
      if (textarea) textarea.focus();
    });

    cancel.addEventListener('click', (event) => {
      event.preventDefault();
      home.after(respond);
      parentField.value = '';
      title.textContent = leaveAReply;
      cancel.hidden = true;
      // A page opened as ?replytocom=<id> should not reopen the reply on reload.
      const url = new URL(window.location.href);
      if (url.searchParams.has('replytocom')) {
        url.searchParams.delete('replytocom');
        window.history.replaceState(window.history.state, '', url);
      }
      // The focused link just left the page; send focus back where the reader was.
      if (openedFrom && openedFrom.isConnected) openedFrom.focus();
      else respond.scrollIntoView({ block: 'start' });
      openedFrom = null;
    });
  };

  /**
   * GOV.UK's error summary: focused on arrival; its links focus the field and
   * show its label. A refusal of the whole form (too quick, a duplicate,
   * comments closed) is focused the same way when there is no summary.
   */
  const setUpErrorSummary = () => {
    const summary = document.querySelector('.error-summary');
    const refusal = document.querySelector('.form-refusal');
    if (!summary) {
      if (refusal && document.activeElement !== refusal) refusal.focus();
      return;
    }
    if (document.activeElement !== summary) summary.focus();

    summary.addEventListener('click', (event) => {
      const link = event.target instanceof Element ? event.target.closest('a[href^="#"]') : null;
      if (!link) return;
      const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!field || !field.matches('input, textarea, select, button')) return;
      event.preventDefault();
      const label = field.id ? document.querySelector(`label[for="${CSS.escape(field.id)}"]`) : null;
      const legend = field.closest('fieldset')?.querySelector('legend');
      (label || legend || field).scrollIntoView({ block: 'start' });
      field.focus({ preventScroll: true });
    });
  };

  setUpReadingBar();
  setUpReplyLinks();
  setUpErrorSummary();
})();
