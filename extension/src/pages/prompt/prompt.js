// The "Habit or need?" page: shown in place of a feed (a redirect rule sent
// the tab here), inside the overlay's iframe, or as the "done?" prompt when a
// time box ends. It talks to the background over one port named "prompt":
// prompt_open, then one prompt_answer. The background records the answer
// (and notices a closed tab or a page that went away); this page only shows
// the breathing pause and the choices, and goes where the answer says.

import { getApi } from '../../shared/platform.js';
import { countdownText, enabled, escapeAction, initialModel, reduce } from './machine.js';
import { parsePromptUrl } from './params.js';

const root = document.documentElement;
// First paint, for the benchmarks: the browser's first contentful paint (this
// module starts after it, first-frame.js), else the next frame.
const markShown = () => requestAnimationFrame(() => {
  const fcp = performance.getEntriesByType?.('paint').find((e) => e.name === 'first-contentful-paint');
  root.dataset.shownMs = String(fcp ? fcp.startTime : performance.now());
});
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', markShown, { once: true });
else markShown();

const $ = (id) => document.getElementById(id);
const api = getApi();
const params = parsePromptUrl(location.href);
const main = $('prompt');

let model = initialModel({ mode: params.ok ? params.mode : 'navigation' });
let port = null;
let nextRid = 0;
const waiting = new Map();
let pauseEnd = 0;
let pauseTimer = null;
let opened = false;

// ------------------------------------------------------------------ render

function render() {
  main.dataset.phase = model.phase;
  for (const id of ['habit', 'need', 'continue', 'open', 'leave', 'extend']) $(id).disabled = !enabled(model, id);
  $('purpose').disabled = !enabled(model, 'purpose');
  for (const r of document.querySelectorAll('input[name="timebox"]')) r.disabled = !enabled(model, 'timebox');
  for (const b of document.querySelectorAll('.purpose-choice')) b.disabled = !enabled(model, 'purpose');
  $('countdown').textContent = countdownText(model.remainingMs);
  $('need-error').textContent = model.error;
  if (model.mode === 'done') {
    $('extend').hidden = !model.canExtend;
    $('no-extend').hidden = model.canExtend || !opened;
    $('title').textContent = model.extending ? 'Extend once?' : 'Done?';
  }
}

function dispatch(action) {
  const before = model.phase;
  model = reduce(model, action);
  render();
  if (before !== model.phase) onPhase(model.phase);
}

function onPhase(phase) {
  if (phase === 'choose') $('habit').focus();
  if (phase === 'need') $('purpose').focus();
  if (phase === 'done') $('leave').focus();
}

function setFeedName(name) {
  $('feed-name').textContent = name;
  $('done-feed-name').textContent = name;
  $('open').textContent = `Open ${name}`;
  document.title = model.mode === 'done' ? `Done with ${name}? · mindful` : `${name}: habit or need? · mindful`;
}

function setTimeboxes(boxes, dflt) {
  const span = $('boxes');
  const current = [...span.querySelectorAll('input')].map((i) => Number(i.value));
  if (JSON.stringify(current) !== JSON.stringify(boxes)) {
    span.replaceChildren(...boxes.map((n) => {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'timebox';
      input.value = String(n);
      label.append(input, ` ${n} min`);
      return label;
    }));
  }
  for (const i of span.querySelectorAll('input')) i.checked = Number(i.value) === dflt;
}

// ------------------------------------------------------------ background link

function connect() {
  port = api.runtime.connect({ name: 'prompt' });
  port.onMessage.addListener(onPortMessage);
  port.onDisconnect.addListener(() => {
    port = null;
    for (const [, w] of waiting) w.reject(new Error('disconnected'));
    waiting.clear();
    // The background restarted (a service worker is stopped when idle): the
    // prompt goes on; open it again so the background knows this page.
    if (model.phase !== 'answered') setTimeout(() => {
      connect();
      open();
    }, 50);
  });
}

function request(msg) {
  return new Promise((resolve, reject) => {
    if (!port) {
      reject(new Error('not connected'));
      return;
    }
    const rid = ++nextRid;
    waiting.set(rid, { resolve, reject });
    port.postMessage({ ...msg, rid });
  });
}

function onPortMessage(msg) {
  if (!msg || typeof msg !== 'object') return;
  if (typeof msg.rid === 'number' && waiting.has(msg.rid)) {
    const w = waiting.get(msg.rid);
    waiting.delete(msg.rid);
    w.resolve(msg.result ?? { ok: false, error: 'refused' });
    return;
  }
  if (msg.type === 'granted' && model.phase !== 'answered') {
    // The feed was granted meanwhile (another tab): no question left to ask.
    dispatch({ type: 'granted' });
    $('answered').textContent = 'Already open in another tab for a reason you gave.';
    if (msg.action === 'continue') location.replace(params.url);
  }
}

async function open() {
  let r;
  try {
    r = await request({ type: 'prompt_open', feedId: params.feedId, url: params.url, mode: params.mode, doneFor: params.doneFor });
  } catch {
    return; // disconnected; the reconnect opens again
  }
  if (!r?.ok) {
    main.dataset.phase = 'answered';
    $('answered').textContent = r?.error === 'not_a_feed'
      ? 'This page was opened with an address that is not a feed; there is nothing to ask.'
      : 'mindful could not start this prompt.';
    return;
  }
  setFeedName(r.name || params.feedId);
  setTimeboxes(r.timeboxes, r.defaultTimebox);
  if (r.granted || r.paused) {
    dispatch({ type: r.granted ? 'granted' : 'paused' });
    $('answered').textContent = r.paused ? 'Prompts are paused.' : 'Opening…';
    if (r.action === 'continue') location.replace(params.url);
    return;
  }
  opened = true;
  dispatch({ type: 'opened', pauseMs: r.pauseMs, canExtend: r.canExtend });
  if (model.phase === 'pause' && pauseTimer === null) startPause(r.pauseMs);
}

function startPause(ms) {
  pauseEnd = performance.now() + ms;
  const tick = () => {
    const left = pauseEnd - performance.now();
    if (left <= 0) {
      clearInterval(pauseTimer);
      dispatch({ type: 'pause_over' });
      return;
    }
    dispatch({ type: 'tick', remainingMs: left });
  };
  pauseTimer = setInterval(tick, 200);
  tick();
}

// Not navigation.canGoBack: it sees only same-origin entries, and the entry
// before this page is a web page. After a redirect this page replaced the
// feed's entry and is the newest one, so more than one entry means one before.
function canGoBack() {
  return history.length > 1;
}

const ANSWERED_TEXT = {
  habit: 'Noticed. Going back.',
  habit_continued: 'Opening. Your usual time box starts now.',
  need: 'Opening. Your time box starts now.',
  leave: 'Well done.',
};

async function answer(kind) {
  const control = kind === 'habit_continued' ? 'continue' : kind === 'need' ? 'open' : kind;
  if (!enabled(model, control) && !(kind === 'habit' && escapeAction(model) === 'habit') && !(kind === 'leave' && escapeAction(model) === 'leave')) return;
  const msg = { type: 'prompt_answer', answer: kind, canGoBack: canGoBack() };
  if (kind === 'need') {
    const purpose = $('purpose').value.trim();
    if (purpose === '') {
      model = { ...model, error: 'Say in a few words what you need it for.' };
      render();
      $('purpose').focus();
      return;
    }
    msg.purpose = purpose;
    msg.timeboxMinutes = Number(document.querySelector('input[name="timebox"]:checked')?.value);
  }
  dispatch({ type: 'sent' });
  let r;
  try {
    r = await request(msg);
  } catch {
    r = { ok: false, error: 'unreachable' };
  }
  if (!r?.ok) {
    const why = {
      pause: 'A moment more.',
      purpose: 'Say in a few words what you need it for.',
      timebox: 'Pick a time box.',
      no_extend: 'This visit was already extended once.',
    }[r?.error] ?? 'mindful did not get that. Try again.';
    dispatch({ type: 'failed', error: why });
    return;
  }
  dispatch({ type: 'answered' });
  $('answered').textContent = ANSWERED_TEXT[kind] ?? '';
  if (r.action === 'continue') location.replace(params.url);
  else if (r.action === 'back') history.back();
}

// ------------------------------------------------------------------ wiring

if (!params.ok) {
  main.dataset.phase = 'answered';
  $('answered').textContent = 'This prompt has a broken address.';
} else {
  main.dataset.feed = params.feedId;
  render();
  $('habit').addEventListener('click', () => answer('habit'));
  $('continue').addEventListener('click', () => answer('habit_continued'));
  $('need').addEventListener('click', () => dispatch({ type: 'need' }));
  $('leave').addEventListener('click', () => answer('leave'));
  $('extend').addEventListener('click', () => dispatch({ type: 'extend' }));
  $('need-form').addEventListener('submit', (e) => {
    e.preventDefault();
    answer('need');
  });
  $('purpose').addEventListener('input', () => {
    for (const b of document.querySelectorAll('.purpose-choice')) b.setAttribute('aria-pressed', 'false');
    if (model.error) {
      model = { ...model, error: '' };
      render();
    }
  });
  for (const b of document.querySelectorAll('.purpose-choice')) {
    b.setAttribute('aria-pressed', 'false');
    b.addEventListener('click', () => {
      $('purpose').value = b.textContent.trim();
      for (const o of document.querySelectorAll('.purpose-choice')) o.setAttribute('aria-pressed', String(o === b));
      (document.querySelector('input[name="timebox"]:checked') ?? $('open')).focus();
    });
  }
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    const act = escapeAction(model);
    if (act) {
      e.preventDefault();
      answer(act);
    }
  });
  connect();
  open();
}
