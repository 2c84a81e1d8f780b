import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countdownText, enabled, escapeAction, initialModel, reduce } from '../src/pages/prompt/machine.js';
import { parsePromptUrl } from '../src/pages/prompt/params.js';

const PROMPT = 'chrome-extension://lbcebegdchechefjbefnojockkfhgifo/src/pages/prompt/prompt.html';

test('a redirect URL: the target is everything after u=, raw, query and fragment included', () => {
  for (const target of [
    'https://www.reddit.com/',
    'http://www.reddit.com/r/golang/?sort=new&t=day#comments',
    'https://x.com/home?f=evil&u=https://evil.example/&mode=done',
  ]) {
    assert.deepEqual(parsePromptUrl(`${PROMPT}?f=reddit&u=${target}`), { ok: true, feedId: 'reddit', url: target, mode: 'navigation' }, target);
  }
});

test('bad prompt URLs are refused', () => {
  for (const href of [PROMPT, `${PROMPT}?f=Reddit&u=https://a.b/`, `${PROMPT}?f=reddit&u=javascript:alert(1)`,
    `${PROMPT}?f=reddit&u=${encodeURIComponent('file:///etc/passwd')}&mode=overlay`, `${PROMPT}?f=reddit&u=https%3A%2F%2Fa.b%2F&mode=sneaky`,
    `${PROMPT}?f=reddit&u=https%3A%2F%2Fa.b%2F&mode=done`]) {
    assert.deepEqual(parsePromptUrl(href), { ok: false }, href);
  }
});

test('page states: buttons are disabled during the pause, then habit / need / continue work', () => {
  let m = initialModel({ mode: 'navigation' });
  assert.equal(m.phase, 'pause');
  for (const c of ['habit', 'need', 'continue', 'open']) assert.equal(enabled(m, c), false, c);
  assert.equal(escapeAction(m), null, 'Escape does nothing during the pause');
  m = reduce(m, { type: 'opened', pauseMs: 4000 });
  assert.equal(countdownText(m.remainingMs), '4');
  m = reduce(m, { type: 'tick', remainingMs: 2100 });
  assert.equal(countdownText(m.remainingMs), '3');
  assert.equal(reduce(m, { type: 'need' }).phase, 'pause', 'need does nothing yet');
  m = reduce(m, { type: 'pause_over' });
  assert.equal(m.phase, 'choose');
  for (const c of ['habit', 'need', 'continue']) assert.equal(enabled(m, c), true, c);
  assert.equal(escapeAction(m), 'habit');
  m = reduce(m, { type: 'need' });
  assert.equal(m.phase, 'need');
  assert.equal(enabled(m, 'open'), true);
  assert.equal(enabled(m, 'habit'), false);
  assert.equal(escapeAction(m), 'habit', 'Escape is habit after the pause');
  m = reduce(m, { type: 'sent' });
  assert.equal(enabled(m, 'open'), false, 'no double submit');
  assert.equal(escapeAction(m), null);
  const failed = reduce(m, { type: 'failed', error: 'Pick a time box.' });
  assert.equal(failed.phase, 'need');
  assert.equal(enabled(failed, 'open'), true);
  assert.equal(reduce(m, { type: 'answered' }).phase, 'answered');
});

test('done page: leave always, extend only when the background allows it', () => {
  let m = initialModel({ mode: 'done' });
  assert.equal(m.phase, 'done');
  m = reduce(m, { type: 'opened', pauseMs: 0, canExtend: false });
  assert.equal(enabled(m, 'leave'), true);
  assert.equal(enabled(m, 'extend'), false);
  assert.equal(reduce(m, { type: 'extend' }).phase, 'done');
  assert.equal(escapeAction(m), 'leave');
  m = reduce(m, { type: 'opened', pauseMs: 0, canExtend: true });
  m = reduce(m, { type: 'extend' });
  assert.equal(m.phase, 'need');
  assert.equal(m.extending, true);
  assert.equal(enabled(m, 'open'), true);
  assert.equal(escapeAction(m), 'leave');
});

test('granted elsewhere or paused: straight to answered', () => {
  assert.equal(reduce(initialModel({ mode: 'overlay' }), { type: 'granted' }).phase, 'answered');
  assert.equal(reduce(initialModel({ mode: 'navigation' }), { type: 'paused' }).phase, 'answered');
});
