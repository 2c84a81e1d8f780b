// The break page's states: the wait before an early end, the reason it
// needs, locked breaks, the time left, and going back without a loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EMPTY_REASON_TEXT, canEndEarly, confirmEnabled, initialModel, reasonText, reduce, shouldReturn, timeLeftText, waitText,
} from '../src/pages/break/machine.js';

const T0 = Date.UTC(2026, 10, 23, 15, 0, 0);
const info = (patch = {}) => ({ ok: true, state: 'on', key: 'adhoc:1', name: 'Focus', start: T0, end: T0 + 3600_000, locked: false, reason: '', ...patch });

test('loading, then on; "End this break early…" only for a running break that is not locked', () => {
  let m = initialModel();
  assert.equal(m.status, 'loading');
  assert.equal(canEndEarly(m), false);
  m = reduce(m, { type: 'info', info: info() });
  assert.equal(m.status, 'on');
  assert.equal(canEndEarly(m), true);
  assert.equal(reduce(m, { type: 'info', info: undefined }), m, 'no answer changes nothing');
  const locked = reduce(initialModel(), { type: 'info', info: info({ locked: true }) });
  assert.equal(canEndEarly(locked), false);
  assert.equal(reduce(locked, { type: 'end_open' }).end.phase, 'closed', 'a locked break cannot be ended early');
});

test('the wait: a calm countdown to not_before; confirm is disabled until then', () => {
  let m = reduce(initialModel(), { type: 'info', info: info() });
  m = reduce(m, { type: 'end_open' });
  assert.equal(m.end.phase, 'asking');
  assert.equal(waitText(m, T0), 'Asking mindful…');
  assert.equal(confirmEnabled(m, T0), false);
  m = reduce(m, { type: 'ticket', ticket: 'abc', notBefore: T0 + 10_000 });
  assert.equal(m.end.phase, 'waiting');
  assert.equal(waitText(m, T0), 'Take a breath. You can end it in 10 s.');
  assert.equal(waitText(m, T0 + 9_001), 'Take a breath. You can end it in 1 s.');
  assert.equal(confirmEnabled(m, T0 + 9_999), false);
  assert.equal(reduce(m, { type: 'confirm', reason: 'a reason', now: T0 + 9_999 }), m, 'confirm before the wait does nothing');
  assert.equal(confirmEnabled(m, T0 + 10_000), true);
  assert.equal(waitText(m, T0 + 10_000), 'You can end it now, if you still want to.');
});

test('confirming with an empty reason shows an error and sends nothing; with a reason it sends once', () => {
  let m = reduce(initialModel(), { type: 'info', info: info() });
  m = reduce(reduce(m, { type: 'end_open' }), { type: 'ticket', ticket: 'abc', notBefore: T0 });
  const empty = reduce(m, { type: 'confirm', reason: '   ', now: T0 + 1 });
  assert.equal(empty.end.phase, 'waiting', 'nothing sent');
  assert.equal(empty.end.error, EMPTY_REASON_TEXT);
  assert.equal(reduce(empty, { type: 'typing' }).end.error, '', 'typing clears the error');
  const sending = reduce(empty, { type: 'confirm', reason: 'my sister sent a link', now: T0 + 1 });
  assert.equal(sending.end.phase, 'sending');
  assert.equal(sending.end.error, '');
  assert.equal(confirmEnabled(sending, T0 + 1), false, 'no double send');
  assert.equal(reduce(sending, { type: 'cancel' }), sending, 'cannot cancel mid-flight');
  const failed = reduce(sending, { type: 'stop_failed', error: 'Wait 1s more.' });
  assert.deepEqual([failed.end.phase, failed.end.error], ['waiting', 'Wait 1s more.']);
  const stopped = reduce(sending, { type: 'stopped' });
  assert.equal(stopped.end.phase, 'stopped');
  assert.equal(waitText(stopped, T0), 'The break is over. Taking you back…');
  assert.equal(reduce(stopped, { type: 'info', info: { ok: true, state: 'ended', returnOk: true } }).status, 'ended');
});

test('refusals (locked, weekly cap, not running) show the daemon\'s words; cancel closes the form', () => {
  let m = reduce(reduce(initialModel(), { type: 'info', info: info() }), { type: 'end_open' });
  m = reduce(m, { type: 'refused', error: "mindful isn't running: a break can only be ended early through it." });
  assert.equal(m.end.phase, 'refused');
  assert.equal(m.end.error, "mindful isn't running: a break can only be ended early through it.");
  assert.equal(confirmEnabled(m, T0 + 60_000), false);
  assert.equal(reduce(m, { type: 'ticket', ticket: 'late', notBefore: T0 }).end.phase, 'refused', 'a late ticket is ignored');
  m = reduce(m, { type: 'cancel' });
  assert.deepEqual(m.end, { phase: 'closed', ticket: null, notBefore: null, error: '' });
  assert.equal(canEndEarly(m), true, 'the button is back');
  // The break became locked meanwhile (a new state): the form closes.
  const open = reduce(reduce(reduce(initialModel(), { type: 'info', info: info() }), { type: 'end_open' }), { type: 'ticket', ticket: 't', notBefore: T0 });
  assert.equal(reduce(open, { type: 'info', info: info({ locked: true }) }).end.phase, 'closed');
});

test('time left, live; "until you end it" for an open-ended break; the reason or a gentle default', () => {
  assert.equal(timeLeftText(T0 + 3600_000, T0), '1 h 00 min left');
  assert.equal(timeLeftText(T0 + 3600_000, T0 + 1), '1 h 00 min left', 'rounded up to the second');
  assert.equal(timeLeftText(T0 + 3600_000, T0 + 1000), '59 min 59 s left');
  assert.equal(timeLeftText(T0 + 754_000, T0), '12 min 34 s left');
  assert.equal(timeLeftText(T0 + 45_000, T0 + 200), '45 s left');
  assert.equal(timeLeftText(T0, T0 + 5_000), '0 s left');
  assert.equal(timeLeftText(null, T0), 'until you end it');
  assert.equal(reasonText('I want my evenings back.'), 'I want my evenings back.');
  assert.ok(reasonText('  ').length > 10, 'a gentle default line');
});

test('going back: only a page that saw its break or a site mindful knows, and never twice in a row', () => {
  const url = 'https://www.reddit.com/r/golang/';
  assert.equal(shouldReturn({ sawOn: true, returnOk: false, url, last: null, now: T0 }), true);
  assert.equal(shouldReturn({ sawOn: false, returnOk: true, url, last: null, now: T0 }), true);
  assert.equal(shouldReturn({ sawOn: false, returnOk: false, url, last: null, now: T0 }), false, 'a made-up address');
  assert.equal(shouldReturn({ sawOn: true, returnOk: true, url, last: { url, at: T0 - 1000 }, now: T0 }), false, 'came straight back: no loop');
  assert.equal(shouldReturn({ sawOn: true, returnOk: true, url, last: { url, at: T0 - 60_000 }, now: T0 }), true);
  assert.equal(shouldReturn({ sawOn: true, returnOk: true, url, last: { url: 'https://x.com/', at: T0 }, now: T0 }), true);
});
