// grove serve: the one script of every page. It keeps a page live (the
// server sends changed regions and new transcript lines as server-sent
// events) and sends the forms with the CSRF token in a header, showing
// how each action went. Everything it inserts as HTML was escaped by the
// server; what it writes itself is text.
'use strict';

// A refusal of the Content-Security-Policy is a bug of the page: say so
// where every other error goes.
document.addEventListener('securitypolicyviolation', (e) => {
  console.error(`Content-Security-Policy refused ${e.blockedURI || 'an inline piece'} (${e.violatedDirective})`);
});

// Lines of transcript a page keeps, as the server does.
const KEPT_LINES = 5000;

function flash(ok, message, hint) {
  const box = document.getElementById('flash');
  if (!box) return;
  box.className = ok ? 'good' : 'bad';
  box.textContent = message;
  if (hint) {
    const small = document.createElement('span');
    small.className = 'hint';
    small.textContent = hint;
    box.append(small);
  }
}

async function submit(form) {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const buttons = form.querySelectorAll('button');
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const response = await fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      headers: { 'x-csrf-token': csrf, accept: 'application/json' },
      credentials: 'same-origin',
    });
    const type = response.headers.get('content-type') || '';
    if (!type.startsWith('application/json')) {
      flash(false, `grove serve answered ${response.status}: ${(await response.text()).trim()}`);
      return;
    }
    const answer = await response.json();
    flash(answer.ok, answer.message, answer.hint);
    if (answer.ok) {
      form.closest('details')?.removeAttribute('open');
      if (answer.location) window.location.assign(answer.location);
    }
  } catch (e) {
    flash(false, `grove serve did not answer (${e.message}); is it still running?`);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

function replaceRegion({ id, html }) {
  const region = document.getElementById(id);
  if (!region) return;
  // Keep what the person was doing: an open <details>, a reason half typed.
  const open = [...region.querySelectorAll('details[open]')].map((d) => d.className);
  const typed = [...region.querySelectorAll('input[name="reason"]')]
    .filter((input) => input.value)
    .map((input) => [input.form.action, input.value]);
  region.innerHTML = html;
  region.querySelectorAll('details').forEach((d) => { if (open.includes(d.className)) d.open = true; });
  for (const [action, value] of typed) {
    const form = [...region.querySelectorAll('form')].find((f) => f.action === action);
    const input = form?.querySelector('input[name="reason"]');
    if (input) input.value = value;
  }
}

function appendTranscript({ replace, from, first, html }) {
  const box = document.getElementById('transcript');
  if (!box) return;
  const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  if (replace) {
    box.innerHTML = html;
    box.dataset.first = first;
  } else {
    let have = Number(box.dataset.first);
    // Drop the lines from `from` on (the last one may have grown), then add.
    const keep = Math.max(0, from - have);
    while (box.children.length > keep) box.lastElementChild.remove();
    box.insertAdjacentHTML('beforeend', html);
    while (box.children.length > KEPT_LINES || (have < first && box.firstElementChild)) {
      box.firstElementChild.remove();
      have += 1;
    }
    box.dataset.first = have;
  }
  if (atEnd) box.scrollTop = box.scrollHeight;
}

function follow(url) {
  const status = document.getElementById('live-status');
  const say = (text, tone) => {
    if (!status) return;
    status.textContent = text;
    status.dataset.tone = tone;
  };
  const source = new EventSource(url);
  source.addEventListener('open', () => say('live', 'good'));
  source.addEventListener('error', () => say('reconnecting…', 'warn'));
  source.addEventListener('region', (e) => replaceRegion(JSON.parse(e.data)));
  source.addEventListener('transcript', (e) => appendTranscript(JSON.parse(e.data)));
}

document.addEventListener('DOMContentLoaded', () => {
  document.addEventListener('submit', (e) => {
    const form = e.target.closest('form[data-action]');
    if (!form) return;
    e.preventDefault();
    submit(form);
  });
  const transcript = document.getElementById('transcript');
  if (transcript) transcript.scrollTop = transcript.scrollHeight;
  if (document.body.dataset.live) follow(document.body.dataset.live);
});
