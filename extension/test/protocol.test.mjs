import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  breakAttemptEvent, breakNoteEvent, breakStop, breakStopRequest, cleanNote, cleanStopReason,
  DAEMON_TYPES, EXTENSION_TYPES, MAX_FRAME_BYTES, cleanPurpose, encodedSize, envelope, eventSeconds, eventsMessage,
  feedTimeEvent, hello, idleState, pageInfo, pairRequest, parseDaemonFrame, ping, pong, promptEvent, stamp, tabActivated,
  tabClosed, tabNavigated, takeBatch, validateEvent, validateMessage, windowFocus,
} from '../src/shared/protocol.js';
import { IDENTITY, TOKEN, sampleEvent } from './fakes.mjs';

const st = { id: '0a4c2c9e-2f7b-4d55-8a3e-3f1b9f1f6a10', ts: '2026-11-23T15:21:26.123Z' };

function assertValid(msg, from) {
  const r = validateMessage(msg, from);
  assert.ok(r.ok, `${msg.type} should validate: ${r.message}`);
}

function assertInvalid(msg, from, field) {
  const r = validateMessage(msg, from);
  assert.equal(r.ok, false, `${JSON.stringify(msg)} should not validate`);
  if (field) assert.equal(r.field, field);
}

test('builders produce envelopes that validate', () => {
  const msgs = [
    pairRequest('c-1', IDENTITY),
    hello('c-1', TOKEN, IDENTITY),
    eventsMessage('c-2', [
      tabNavigated(st, { tabId: 12, windowId: 1, domain: 'www.reddit.com', url: 'https://www.reddit.com/r/golang/' }),
      tabActivated(st, { tabId: 7, windowId: 1, domain: 'example.org' }),
      tabClosed(st, { tabId: 12, windowId: 1, domain: '' }),
      windowFocus(st, { windowId: -1 }),
      idleState(st, { state: 'locked' }),
    ]),
    ping('c-9'),
    pong('c-10', 'd-17'),
  ];
  for (const m of msgs) {
    assert.equal(m.v, 1);
    assert.equal(typeof m.id, 'string');
    assert.equal(typeof m.body, 'object');
    assertValid(m, 'extension');
  }
  assert.equal(msgs[4].re, 'd-17');
  assert.ok(!('re' in msgs[0]), 'no re on a request');
  assert.deepEqual(Object.keys(msgs[1].body).sort(), ['browser', 'browser_version', 'client_id', 'ext_version', 'token']);
});

test('stamp gives a UUID-like id and an RFC 3339 UTC ts with milliseconds', () => {
  const s = stamp({ newId: () => 'abc', now: () => Date.UTC(2026, 10, 23, 15, 21, 26, 5) });
  assert.deepEqual(s, { id: 'abc', ts: '2026-11-23T15:21:26.005Z' });
});

test('envelope validation names the bad field', () => {
  assertInvalid(null, 'daemon');
  assertInvalid({ type: 'ping', id: 'd-1', body: {} }, 'daemon', 'v');
  assertInvalid({ v: 2, type: 'ping', id: 'd-1', body: {} }, 'daemon', 'v');
  assertInvalid({ v: 1, type: 'ping', id: '', body: {} }, 'daemon', 'id');
  assertInvalid({ v: 1, type: 'ping', id: 'x'.repeat(65), body: {} }, 'daemon', 'id');
  assertInvalid({ v: 1, type: 'ping', id: 'd-1' }, 'daemon', 'body');
  assertInvalid({ v: 1, type: 'ping', id: 'd-1', body: [] }, 'daemon', 'body');
  assertInvalid({ v: 1, type: 'hello', id: 'd-1', body: {} }, 'daemon', 'type');
  assertInvalid({ v: 1, type: 'welcome', id: 'd-1', body: {} }, 'extension', 'type');
  assertInvalid({ v: 1, type: 'pong', id: 'c-1', body: {} }, 'extension', 're');
  assertValid({ v: 1, type: 'paired', id: 'd-2', body: { client_id: 'x', token: TOKEN } }, 'daemon');
  assertValid({ v: 1, type: 'ping', id: 'd-1', body: {}, extra: 'ignored' }, 'daemon');
});

test('the extension types and daemon types are the documented ones', () => {
  assert.deepEqual([...EXTENSION_TYPES].sort(), ['break_stop', 'break_stop_request', 'events', 'hello', 'pair_request', 'ping', 'pong']);
  assert.deepEqual([...DAEMON_TYPES].sort(), [
    'ack', 'break_stop_ticket', 'break_stopped', 'error', 'pair_pending', 'paired', 'ping', 'pong', 'state', 'welcome',
  ]);
});

test('body validation rejects what the daemon would', () => {
  assertInvalid(hello('c-1', 'short', IDENTITY), 'extension', 'body.token');
  assertInvalid(pairRequest('c-1', { ...IDENTITY, browser: 'netscape' }), 'extension', 'body.browser');
  assertInvalid(pairRequest('c-1', { ...IDENTITY, client_id: '' }), 'extension', 'body.client_id');
  assertInvalid(eventsMessage('c-2', []), 'extension', 'body.events');
  assertInvalid(eventsMessage('c-2', Array.from({ length: 201 }, (_, i) => sampleEvent(i))), 'extension', 'body.events');
  assertValid(eventsMessage('c-2', Array.from({ length: 200 }, (_, i) => sampleEvent(i))), 'extension');
  assertInvalid(eventsMessage('c-2', [{ ...sampleEvent(1), ts: '2026-11-23T15:21:26Z' }]), 'extension', 'events[0].ts');
  assertInvalid(eventsMessage('c-2', [sampleEvent(1), { ...sampleEvent(2), type: 'tab_exploded' }]), 'extension', 'events[1].type');
  assertInvalid(
    eventsMessage('c-2', [tabNavigated(st, { tabId: 1, windowId: 1, domain: 'a.b', url: 'https://a.b/x?q=1' })]),
    'extension', 'events[0].url',
  );
  assertInvalid(eventsMessage('c-2', [{ ...sampleEvent(1), domain: 'Example.org' }]), 'extension', 'events[0].domain');
  assertInvalid(eventsMessage('c-2', [idleState(st, { state: 'asleep' })]), 'extension', 'events[0].state');
  assertInvalid(eventsMessage('c-2', [{ ...sampleEvent(1), tab_id: '7' }]), 'extension', 'events[0].tab_id');
});

test('daemon messages: codes are 6-digit strings, tokens 64 hex digits, acks list ids', () => {
  const pp = (code) => envelope('pair_pending', 'd-1', { code, expires_at: '2026-11-23T15:31:26Z' }, 'c-1');
  assertValid(pp('042137'), 'daemon');
  assertInvalid(pp(42137), 'daemon', 'body.code');
  assertInvalid(pp('42137'), 'daemon', 'body.code');
  assertInvalid(envelope('paired', 'd-2', { client_id: IDENTITY.client_id, token: 'XYZ' }, 'c-1'), 'daemon', 'body.token');
  assertValid(envelope('ack', 'd-4', { ids: ['a'] }, 'c-2'), 'daemon');
  assertInvalid(envelope('ack', 'd-4', { ids: 'a' }, 'c-2'), 'daemon', 'body.ids');
  assertInvalid(envelope('ack', 'd-4', { ids: [], rejected: [{ field: 'x' }] }, 'c-2'), 'daemon', 'body.rejected[0].id');
  assertValid(envelope('welcome', 'd-1', { client_id: 'x' }, 'c-1'), 'daemon');
  assertInvalid(envelope('welcome', 'd-1', { max_batch: 0 }, 'c-1'), 'daemon', 'body.max_batch');
  assertInvalid(envelope('error', 'd-3', { message: 'x' }), 'daemon', 'body.code');
});

test('parseDaemonFrame rejects non-JSON and non-objects', () => {
  assert.equal(parseDaemonFrame('{nope').code, 'bad_json');
  assert.equal(parseDaemonFrame('[1]').code, 'bad_json');
  assert.equal(parseDaemonFrame(new ArrayBuffer(2)).code, 'bad_json');
  const ok = parseDaemonFrame('{"v":1,"type":"ping","id":"d-1","body":{}}');
  assert.ok(ok.ok);
  assert.equal(ok.msg.id, 'd-1');
});

test('pageInfo keeps scheme, host and path only, and web domains only', () => {
  assert.deepEqual(pageInfo('https://WWW.Reddit.com:8443/r/golang/?sort=new#top'), {
    domain: 'www.reddit.com',
    url: 'https://www.reddit.com:8443/r/golang/',
  });
  assert.deepEqual(pageInfo('http://user:pw@example.org/a/b?c#d'), { domain: 'example.org', url: 'http://example.org/a/b' });
  assert.deepEqual(pageInfo('chrome://newtab/'), { domain: '' });
  assert.deepEqual(pageInfo('about:blank'), { domain: '' });
  assert.deepEqual(pageInfo('moz-extension://abc/popup.html'), { domain: '' });
  assert.deepEqual(pageInfo('file:///home/me/secret.pdf'), { domain: '' });
  assert.deepEqual(pageInfo('not a url'), { domain: '' });
  assert.deepEqual(pageInfo(undefined), { domain: '' });
  const long = pageInfo(`https://example.org/${'a'.repeat(5000)}`);
  assert.deepEqual(long, { domain: 'example.org' }, 'an overlong url is left out');
  for (const url of ['https://x.y/?a', 'https://x.y/#a', 'https://x.y/p?q#f']) {
    assert.ok(!/[?#]/.test(pageInfo(url).url));
  }
});

test('validateEvent accepts the builders output for every event type', () => {
  for (const ev of [
    tabNavigated(st, { tabId: 1, windowId: 2, domain: '' }),
    tabActivated(st, { tabId: 1, windowId: 2, domain: 'a.example' }),
    tabClosed(st, { tabId: 1, windowId: 2, domain: 'a.example' }),
    windowFocus(st, { windowId: 3 }),
    idleState(st, { state: 'active' }),
    tabNavigated(st, { tabId: 1, windowId: 2, domain: 'www.reddit.com', url: 'https://www.reddit.com/', feedId: 'reddit' }),
    promptEvent(st, { tabId: 1, windowId: 2, domain: 'x.com', feedId: 'x', answer: 'habit', secondsToAnswer: 3.2, via: 'spa' }),
    promptEvent(st, {
      tabId: 1, windowId: 2, domain: 'x.com', feedId: 'x', answer: 'need', secondsToAnswer: 9, via: 'navigation',
      purpose: 'Work', timeboxMinutes: 15, extendsId: 'd5e6f7a8-b9c0-4d1e-8f2a-3b4c5d6e7f80',
    }),
    feedTimeEvent(st, { promptId: 'd5e6f7a8-b9c0-4d1e-8f2a-3b4c5d6e7f80', feedId: 'x', seconds: 287 }),
  ]) {
    assert.ok(validateEvent(ev).ok, `${ev.type}: ${validateEvent(ev).message}`);
  }
});

test('prompt events: exactly the documented fields, purpose and time box only on need', () => {
  const habit = promptEvent(st, { tabId: 12, windowId: 1, domain: 'www.reddit.com', feedId: 'reddit', answer: 'habit', secondsToAnswer: 4.1, via: 'navigation', purpose: 'x', timeboxMinutes: 5 });
  assert.deepEqual(habit, {
    ...st, type: 'prompt', tab_id: 12, window_id: 1, domain: 'www.reddit.com', feed_id: 'reddit', answer: 'habit',
    seconds_to_answer: 4.1, via: 'navigation',
  });
  const bad = (patch, field) => {
    const r = validateEvent({ ...habit, ...patch });
    assert.equal(r.ok, false, JSON.stringify(patch));
    assert.equal(r.field, `event.${field}`);
  };
  bad({ answer: 'maybe' }, 'answer');
  bad({ via: 'telepathy' }, 'via');
  bad({ seconds_to_answer: -1 }, 'seconds_to_answer');
  bad({ seconds_to_answer: 86_401 }, 'seconds_to_answer');
  bad({ feed_id: 'Reddit' }, 'feed_id');
  bad({ purpose: 'why' }, 'purpose');
  bad({ answer: 'need', purpose: 'Work' }, 'timebox_minutes');
  bad({ answer: 'need', purpose: 'Work', timebox_minutes: 241 }, 'timebox_minutes');
  bad({ answer: 'need', purpose: 'a\u0007b', timebox_minutes: 5 }, 'purpose');
  bad({ extends: '' }, 'extends');
  assert.ok(validateEvent({ ...habit, answer: 'need', purpose: 'Work', timebox_minutes: 240 }).ok);
  const ft = feedTimeEvent(st, { promptId: 'p-1', feedId: 'reddit', seconds: 12.5 });
  assert.deepEqual(ft, { ...st, type: 'feed_time', prompt_id: 'p-1', feed_id: 'reddit', seconds: 12.5 });
  assert.equal(validateEvent({ ...ft, seconds: -0.1 }).field, 'event.seconds');
  assert.equal(validateEvent({ ...ft, prompt_id: '' }).field, 'event.prompt_id');
});

test('eventSeconds rounds to tenths within 0..86400; cleanPurpose fits the daemon limits', () => {
  assert.equal(eventSeconds(6449), 6.4);
  assert.equal(eventSeconds(6450), 6.5);
  assert.equal(eventSeconds(-5), 0);
  assert.equal(eventSeconds(1e12), 86_400);
  assert.equal(cleanPurpose('  Reply\tto\n a  message '), 'Reply to a message');
  const long = cleanPurpose('é'.repeat(400)); // 2 bytes each
  assert.equal(new TextEncoder().encode(long).length, 500);
  assert.equal(cleanPurpose('a'.repeat(499) + '€').length, 499, 'never cuts a character in half');
});

test('a state message from the daemon validates whatever its fields (they are read leniently)', () => {
  assertValid(envelope('state', 'd-9', { feeds: [], prompts_paused_until: null }), 'daemon');
  assertInvalid(envelope('state', 'd-9', { feeds: [] }), 'extension', 'type');
});

test('takeBatch respects max_batch and the 65,536-byte frame limit', () => {
  const evs = Array.from({ length: 300 }, (_, i) => sampleEvent(i + 1));
  assert.equal(takeBatch(evs, { id: 'c-2', maxBatch: 200 }).length, 200);
  assert.equal(takeBatch(evs, { id: 'c-2', maxBatch: 7 }).length, 7);
  assert.equal(takeBatch(evs, { id: 'c-2', maxBatch: 1000 }).length, 200, 'never more than 200');
  const fat = Array.from({ length: 200 }, (_, i) =>
    tabNavigated({ id: `id-${i}`, ts: st.ts }, { tabId: i, windowId: 1, domain: 'example.org', url: `https://example.org/${'p'.repeat(2000)}` }),
  );
  const batch = takeBatch(fat, { id: 'c-2', maxBatch: 200 });
  assert.ok(batch.length > 1 && batch.length < 200, `got ${batch.length}`);
  assert.ok(encodedSize(eventsMessage('c-2', batch)) <= MAX_FRAME_BYTES);
  assert.ok(encodedSize(eventsMessage('c-2', fat.slice(0, batch.length + 1))) > MAX_FRAME_BYTES);
  assert.deepEqual(batch, fat.slice(0, batch.length), 'a prefix, in order');
});

test('break events and the early-end messages validate like the daemon does', () => {
  const attempt = breakAttemptEvent(st, { domain: 'www.reddit.com', breakKey: 'adhoc:7', tabId: 12, windowId: 1 });
  assert.deepEqual(attempt, { ...st, type: 'break_attempt', domain: 'www.reddit.com', break_key: 'adhoc:7', tab_id: 12, window_id: 1 });
  assert.ok(validateEvent(attempt).ok);
  const bare = breakAttemptEvent(st, { domain: 'x.com', breakKey: 'k' });
  assert.deepEqual(Object.keys(bare).sort(), ['break_key', 'domain', 'id', 'ts', 'type'], 'tab and window are optional');
  assert.ok(validateEvent(bare).ok);
  assert.equal(validateEvent({ ...attempt, domain: '' }).field, 'event.domain');
  assert.equal(validateEvent({ ...attempt, domain: 'WWW.reddit.com' }).field, 'event.domain');
  assert.equal(validateEvent({ ...attempt, break_key: '' }).field, 'event.break_key');
  assert.equal(validateEvent({ ...attempt, break_key: 'k'.repeat(129) }).field, 'event.break_key');
  assert.equal(validateEvent({ ...attempt, tab_id: 'x' }).field, 'event.tab_id');
  const note = breakNoteEvent(st, { breakKey: 'adhoc:7', note: 'the thread about the Go release' });
  assert.ok(validateEvent(note).ok);
  assert.equal(validateEvent({ ...note, note: '  ' }).field, 'event.note');
  assert.equal(validateEvent({ ...note, note: 'x'.repeat(2001) }).field, 'event.note');
  assert.equal(cleanNote(`  line one\r\nline two\u0007 ${'é'.repeat(1500)}`).startsWith('line one\nline two '), true);
  assert.ok(new TextEncoder().encode(cleanNote('é'.repeat(1500))).length <= 2000);
  assert.equal(cleanStopReason('  my sister\n sent   a link '), 'my sister sent a link');

  assertValid(breakStopRequest('c-20'), 'extension');
  assertValid(breakStop('c-21', '5f0c8a7e2b1d4c9a8e7f6a5b', 'a reason'), 'extension');
  assertInvalid(breakStop('c-21', '', 'a reason'), 'extension', 'body.ticket');
  assertInvalid(breakStop('c-21', 't', ' '), 'extension', 'body.reason');
  assertValid({ v: 1, type: 'break_stop_ticket', id: 'd-1', re: 'c-20', body: { ticket: 't', not_before: '2026-11-23T15:45:10.123456Z', name: 'n', end: null } }, 'daemon');
  assertInvalid({ v: 1, type: 'break_stop_ticket', id: 'd-1', re: 'c-20', body: { ticket: 't', not_before: 'soon', name: 'n', end: null } }, 'daemon', 'body.not_before');
  assertValid({ v: 1, type: 'break_stopped', id: 'd-2', re: 'c-21', body: { name: 'n', at: '2026-11-23T15:45:12Z' } }, 'daemon');
  assertValid({ v: 1, type: 'error', id: 'd-3', re: 'c-20', body: { code: 'refused', message: 'no break is running' } }, 'daemon');
});
