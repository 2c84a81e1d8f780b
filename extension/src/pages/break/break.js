// The break page: shown in place of a blocked site during a break (a
// redirect rule sent the tab here: an attempt), or in a tab that was on
// such a site when the break started (the background switched it: not an
// attempt). It asks the background what runs (break_info), shows the break
// and the user's reason, keeps notes, and ends the break early only through
// the daemon (break_stop_request, the wait, break_stop with a reason). When
// the break is over it sends the tab back where it was going.

import { GATE_KEY, parseBreakUrl } from '../../shared/break-url.js';
import { getApi } from '../../shared/platform.js';
import {
  EMPTY_REASON_TEXT, canEndEarly, confirmEnabled, initialModel, reasonText, reduce, shouldReturn, timeLeftText, waitText,
} from './machine.js';

const $ = (id) => document.getElementById(id);
const api = getApi();
const params = parseBreakUrl(location.href);
const main = $('break');
const RETURN_KEY = 'mindful-break-return';
const POLL_MS = 30_000;

let model = initialModel();
let sawOn = false;
let asking = null;
let lastAsked = 0;
let returned = false;
/** This load was a redirect the background has not been told about yet. */

// A page framed by another site cannot end a break (the background refuses too).
const framed = (() => {
  try {
    return window.top !== window;
  } catch {
    return true;
  }
})();

// ------------------------------------------------------------------ render

function render() {
  const now = Date.now();
  main.dataset.state = model.status;
  const info = model.info;
  if (info) {
    main.dataset.key = info.key;
    $('break-name').textContent = info.name;
    $('time-left').textContent = timeLeftText(info.end, now);
    $('reason').textContent = reasonText(info.reason);
    $('reason-hint').hidden = String(info.reason ?? '').trim() !== '';
    $('locked-note').hidden = !info.locked;
    document.title = `${info.name} · mindful`;
  }
  const open = model.end.phase !== 'closed';
  $('end-early').hidden = !canEndEarly(model) || open || framed;
  $('end-form').hidden = !open;
  $('wait').textContent = waitText(model, now);
  $('end-error').textContent = model.end.error;
  $('confirm-end').disabled = !confirmEnabled(model, now);
  $('early-reason').disabled = model.end.phase === 'sending' || model.end.phase === 'stopped';
}

function dispatch(action) {
  model = reduce(model, action);
  render();
}

// ------------------------------------------------------------ background link

async function ask(type, fields = {}) {
  try {
    return await api.runtime.sendMessage({ type, ...fields });
  } catch {
    return undefined; // the background is restarting; the next tick asks again
  }
}

/** Asks the background what runs now (and, once, tells it about a redirected load). */
function refresh() {
  if (asking) return asking;
  lastAsked = Date.now();
  asking = (async () => {
    const r = await ask('break_info', { key: params.key, url: params.url });
    asking = null;
    if (!r?.ok) return;
    if (r.state === 'on') sawOn = true;
    dispatch({ type: 'info', info: r });
    if (r.state === 'ended') goBack(r.returnOk === true);
  })();
  return asking;
}

function goBack(returnOk) {
  if (returned) return;
  const link = $('return-link');
  link.href = params.url;
  link.textContent = `Continue to ${new URL(params.url).hostname}`;
  let last = null;
  try {
    last = JSON.parse(sessionStorage.getItem(RETURN_KEY) ?? 'null');
  } catch {
    last = null;
  }
  const now = Date.now();
  if (!shouldReturn({ sawOn, returnOk, url: params.url, last, now })) {
    $('over-text').textContent = sawOn || returnOk ? 'The break is over.' : 'No break is running for this page.';
    link.hidden = false;
    return;
  }
  returned = true;
  $('over-text').textContent = 'The break is over. Taking you back…';
  try {
    sessionStorage.setItem(RETURN_KEY, JSON.stringify({ url: params.url, at: now }));
  } catch {
    // storage refused: no loop guard, still go
  }
  location.replace(params.url);
}

// -------------------------------------------------------------- notes

async function saveNote() {
  const text = $('note').value.trim();
  const saved = $('note-saved');
  if (text === '') {
    saved.textContent = 'Write a few words first.';
    $('note').focus();
    return;
  }
  $('save-note').disabled = true;
  const r = await ask('break_note', { key: model.info?.key ?? params.key, note: text });
  $('save-note').disabled = false;
  if (r?.ok) {
    $('note').value = '';
    saved.textContent = 'Saved for later.';
  } else {
    saved.textContent = 'Not saved. Try again.';
  }
}

// ----------------------------------------------------------- ending early

let waitTimer = null;

async function openEnd() {
  if (framed) return;
  dispatch({ type: 'end_open' });
  if (model.end.phase !== 'asking') return;
  $('early-reason').focus();
  const r = await ask('break_stop_request');
  if (r?.ok && Number.isFinite(r.notBefore) && typeof r.ticket === 'string') {
    dispatch({ type: 'ticket', ticket: r.ticket, notBefore: r.notBefore });
    if (waitTimer === null) waitTimer = setInterval(tickWait, 250);
  } else {
    dispatch({ type: 'refused', error: r?.error || "mindful isn't running: a break can only be ended early through it." });
  }
}

function tickWait() {
  render();
  if (model.end.phase === 'closed' || model.end.phase === 'refused') {
    clearInterval(waitTimer);
    waitTimer = null;
  }
}

async function confirmEnd(e) {
  e?.preventDefault();
  const reason = $('early-reason').value;
  const before = model.end.phase;
  dispatch({ type: 'confirm', reason, now: Date.now() });
  if (model.end.phase !== 'sending' || before === 'sending') {
    if (model.end.error === EMPTY_REASON_TEXT) $('early-reason').focus();
    return;
  }
  const r = await ask('break_stop', { ticket: model.end.ticket, reason });
  if (r?.ok) {
    dispatch({ type: 'stopped' });
    // The new state follows from the daemon; look again soon either way.
    setTimeout(() => refresh(), 1000);
    setTimeout(() => refresh(), 4000);
  } else {
    dispatch({ type: 'stop_failed', error: r?.error || 'mindful did not answer. Try again.' });
  }
}

function keepBreak() {
  dispatch({ type: 'cancel' });
  $('early-reason').value = '';
  $('end-early').focus();
}

// ------------------------------------------------------------------ wiring

if (!params.ok) {
  dispatch({ type: 'broken' });
  // Firefox's static launch gate cannot keep the address (docs/enforcement.md).
  $('over-text').textContent = new URLSearchParams(location.search).get('k') === GATE_KEY
    ? 'mindful held this page while the browser started. Open it again.'
    : 'This break page has a broken address.';
} else {
  main.dataset.key = params.key;
  $('save-note').addEventListener('click', saveNote);
  $('end-early').addEventListener('click', openEnd);
  $('end-form').addEventListener('submit', confirmEnd);
  $('keep').addEventListener('click', keepBreak);
  $('early-reason').addEventListener('input', () => dispatch({ type: 'typing' }));
  $('end-form').addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      keepBreak();
    }
  });
  // The background says when breaks changed (one started or ended).
  api.runtime.onMessage.addListener((msg) => {
    if (msg && msg.type === 'breaks_changed') refresh();
  });
  setInterval(() => {
    const now = Date.now();
    if (model.status === 'on') render();
    const end = model.info?.end;
    const due = model.status === 'on' && typeof end === 'number' && now >= end;
    if ((due && now - lastAsked >= 1000) || now - lastAsked >= POLL_MS || (model.status === 'loading' && now - lastAsked >= 2000)) refresh();
  }, 1000);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refresh();
  });
  refresh();
}
