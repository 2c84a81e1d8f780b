import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HANDLERS, MESSAGE_TYPES, isTrustedSender, route } from '../src/background/router.js';

const self = { id: 'lbcebegdchechefjbefnojockkfhgifo', baseUrl: 'chrome-extension://lbcebegdchechefjbefnojockkfhgifo/' };
const contentScript = { id: self.id, url: 'https://www.reddit.com/', origin: 'https://www.reddit.com', tab: { id: 4, windowId: 1 }, frameId: 0 };
const promptPage = { id: self.id, url: `${self.baseUrl}src/pages/prompt/prompt.html?f=reddit&u=https://www.reddit.com/`, tab: { id: 4, windowId: 1 }, frameId: 0 };
const overlayFrame = { ...promptPage, frameId: 7 };

/** The prompt guard and the break enforcer as the router sees them, with one call log. */
function fakeParts() {
  const calls = [];
  const rec = (name) => (...args) => {
    calls.push([name, ...args]);
    return { ok: true, from: name };
  };
  const part = {
    contentState: rec('contentState'),
    overlayShown: rec('overlayShown'),
    promptAnswer: rec('promptAnswer'),
    promptOpen: rec('promptOpen'),
    breakInfo: rec('breakInfo'),
    breakNote: rec('breakNote'),
    breakStop: rec('breakStop'),
    breakStopRequest: rec('breakStopRequest'),
  };
  return { calls, prompts: part, breaks: part };
}

test('the handler table is alphabetised and says who may send what', () => {
  assert.deepEqual(MESSAGE_TYPES, [...MESSAGE_TYPES].sort());
  const untrusted = MESSAGE_TYPES.filter((t) => !HANDLERS[t].trusted);
  assert.deepEqual(untrusted, ['content_state', 'overlay_shown'], 'content scripts may read state and report an overlay, nothing else');
});

test('trusted means our own pages: extension id and a URL under runtime.getURL("")', () => {
  assert.equal(isTrustedSender(promptPage, self), true);
  assert.equal(isTrustedSender(overlayFrame, self), true);
  assert.equal(isTrustedSender(contentScript, self), false);
  assert.equal(isTrustedSender({ ...promptPage, id: 'another-extension' }, self), false);
  assert.equal(isTrustedSender({ ...contentScript, url: `https://evil.example/?${self.baseUrl}` }, self), false);
  assert.equal(isTrustedSender({ id: self.id }, self), false);
  assert.equal(isTrustedSender(promptPage, { id: self.id, baseUrl: '' }), false);
});

test('content scripts cannot record answers or open prompts', async () => {
  const parts = fakeParts();
  for (const msg of [
    { type: 'prompt_answer', answer: 'need', purpose: 'x', timeboxMinutes: 240 },
    { type: 'prompt_open', feedId: 'reddit', url: 'https://www.reddit.com/', mode: 'navigation' },
    { type: 'get_token' },
    { type: 'constructor' },
    { type: '__proto__' },
    { type: 'hasOwnProperty' },
  ]) {
    assert.equal(route(msg, contentScript, { parts, self }), null, msg.type);
  }
  assert.deepEqual(parts.calls, []);
  assert.deepEqual(await route({ type: 'content_state' }, contentScript, { parts, self }), { ok: true, from: 'contentState' });
  await route({ type: 'overlay_shown', feedId: 'reddit', url: 'https://www.reddit.com/' }, contentScript, { parts, self });
  assert.deepEqual(parts.calls[1], ['overlayShown', { tabId: 4, windowId: 1, frameId: 0, trusted: false, port: undefined }, { feedId: 'reddit', url: 'https://www.reddit.com/' }]);
});

test('shapes are checked before any handler runs; other extensions are ignored', async () => {
  const parts = fakeParts();
  for (const msg of [
    null, 'content_state', [], { type: 7 },
    { type: 'overlay_shown', feedId: 'Reddit!', url: 'https://www.reddit.com/' },
    { type: 'overlay_shown', feedId: 'reddit', url: 'javascript:alert(1)' },
    { type: 'prompt_answer', answer: 'nope' },
    { type: 'prompt_answer', answer: 'need', purpose: 5 },
    { type: 'prompt_answer', answer: 'need', purpose: 'x', timeboxMinutes: 1.5 },
    { type: 'prompt_open', feedId: 'reddit', url: 'https://www.reddit.com/', mode: 'sneaky' },
  ]) {
    assert.equal(route(msg, promptPage, { parts, self }), null, JSON.stringify(msg));
  }
  assert.equal(route({ type: 'content_state' }, { ...promptPage, id: 'other' }, { parts, self }), null);
  assert.deepEqual(parts.calls, []);
});

test('the prompt page (top level or in the overlay frame) answers with its tab and frame', async () => {
  const parts = fakeParts();
  const port = { name: 'prompt' };
  await route({ type: 'prompt_answer', answer: 'habit', canGoBack: true }, overlayFrame, { parts, self, port });
  assert.deepEqual(parts.calls[0], ['promptAnswer', { tabId: 4, windowId: 1, frameId: 7, trusted: true, port },
    { answer: 'habit', purpose: undefined, timeboxMinutes: undefined, canGoBack: true }]);
  await route({ type: 'prompt_open', feedId: 'reddit', url: 'https://www.reddit.com/', mode: 'done', doneFor: 'p-1' }, promptPage, { parts, self });
  assert.deepEqual(parts.calls[1][2], { feedId: 'reddit', url: 'https://www.reddit.com/', mode: 'done', doneFor: 'p-1' });
});

const breakPage = { id: self.id, url: `${self.baseUrl}src/pages/break/break.html?k=adhoc%3A1&u=https://www.reddit.com/`, tab: { id: 4, windowId: 1 }, frameId: 0 };

test('the break page\'s messages are trusted ones: content scripts can neither read breaks nor end them', async () => {
  const parts = fakeParts();
  for (const msg of [
    { type: 'break_info', key: 'adhoc:1', url: 'https://www.reddit.com/' },
    { type: 'break_note', key: 'adhoc:1', note: 'x' },
    { type: 'break_stop_request' },
    { type: 'break_stop', ticket: 't', reason: 'r' },
  ]) {
    assert.equal(route(msg, contentScript, { parts, self }), null, msg.type);
  }
  assert.deepEqual(parts.calls, []);
  await route({ type: 'break_info', key: 'adhoc:1', url: 'https://www.reddit.com/' }, breakPage, { parts, self });
  assert.deepEqual(parts.calls[0], ['breakInfo', { tabId: 4, windowId: 1, frameId: 0, trusted: true, port: undefined }, { key: 'adhoc:1', url: 'https://www.reddit.com/' }]);
  await route({ type: 'break_note', key: 'adhoc:1', note: 'the thread' }, breakPage, { parts, self });
  assert.deepEqual(parts.calls[1][2], { key: 'adhoc:1', note: 'the thread' });
  await route({ type: 'break_stop_request' }, breakPage, { parts, self });
  assert.equal(parts.calls[2][0], 'breakStopRequest');
  await route({ type: 'break_stop', ticket: 't', reason: 'my sister' }, breakPage, { parts, self });
  assert.deepEqual(parts.calls[3][2], { ticket: 't', reason: 'my sister' });
});

test('break messages are shape-checked', () => {
  const parts = fakeParts();
  for (const msg of [
    { type: 'break_info', key: '', url: 'https://www.reddit.com/' },
    { type: 'break_info', key: 'k'.repeat(129), url: 'https://www.reddit.com/' },
    { type: 'break_info', key: 'k', url: 'javascript:alert(1)' },
    { type: 'break_note', key: 'k', note: 7 },
    { type: 'break_note', key: 'k', note: 'x'.repeat(4001) },
    { type: 'break_stop', ticket: '', reason: 'r' },
    { type: 'break_stop', ticket: 't'.repeat(65), reason: 'r' },
    { type: 'break_stop', ticket: 't' },
  ]) {
    assert.equal(route(msg, breakPage, { parts, self }), null, JSON.stringify(msg));
  }
  assert.deepEqual(parts.calls, []);
});
