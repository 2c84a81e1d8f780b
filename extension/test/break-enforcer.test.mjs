// The break enforcer (with the rest of enforcement.js), with fake browser APIs and a fake
// clock: breaks from the cache start and end on time (timers, alarms,
// keepalive), tabs switch, the break page's messages, ending early.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue } from '../src/background/queue.js';
import { BREAK_ALARM, BREAK_SOON_ALARM } from '../src/background/break-enforcer.js';
import { NOT_RUNNING_TEXT } from '../src/background/breaks.js';
import { Enforcement } from '../src/background/enforcement.js';
import { BREAK_BASE } from '../src/background/rules.js';
import { route } from '../src/background/router.js';
import { parseBreakUrl } from '../src/shared/break-url.js';
import { validateEvent } from '../src/shared/protocol.js';
import { KEYS } from '../src/shared/storage-keys.js';
import { FakeDnr, FakeTimers, MemoryStorage, sampleState, sequentialIds } from './fakes.mjs';

const EXT_ID = 'lbcebegdchechefjbefnojockkfhgifo';
const BASE = `chrome-extension://${EXT_ID}/`;
const PROMPT = `${BASE}src/pages/prompt/prompt.html`;
const BREAK = `${BASE}src/pages/break/break.html`;
const T0 = Date.UTC(2026, 10, 23, 15, 0, 0);
const MIN = 60_000;
const iso = (ms) => new Date(ms).toISOString();
const self = { id: EXT_ID, baseUrl: BASE };

function brk(patch = {}) {
  return { key: 'adhoc:1', name: 'Focus', start: iso(T0), end: iso(T0 + 60 * MIN), locked: false, sites: ['reddit.com', 'www.reddit.com'], ...patch };
}

function setup({ breaks = [brk()], tabs = [], request = null, statePatch = {} } = {}) {
  const state = sampleState({ breaks, break_reason: 'I want my evenings back.', early_end: { wait_seconds: 10, left_this_week: 2 }, ...statePatch });
  const local = new MemoryStorage({ [KEYS.daemonState]: state });
  const session = new MemoryStorage({}, { areaName: 'session' });
  const queue = new EventQueue({ storage: local });
  const timers = new FakeTimers();
  timers.now = T0;
  const dnr = new FakeDnr({ decided: true });
  const tabMap = new Map(tabs.map((t) => [t.id, { windowId: 1, active: false, ...t }]));
  const calls = { updated: [], alarms: [], cleared: [], keepalive: [], notified: [], requests: [] };
  const tabsApi = {
    query: async () => [...tabMap.values()].map((t) => ({ ...t })),
    get: async (id) => ({ ...tabMap.get(id) }),
    update: async (id, { url }) => {
      calls.updated.push([id, url]);
      tabMap.get(id).url = url;
    },
    remove: async (id) => tabMap.delete(id),
    sendMessage: async () => {
      throw new Error('Receiving end does not exist.');
    },
  };
  const enforcement = new Enforcement({
    local, session, dnr, tabs: tabsApi, queue, promptUrl: PROMPT, breakUrl: BREAK, timers,
    alarms: { create: async (name, info) => calls.alarms.push([name, info]), clear: async (name) => calls.cleared.push(name) },
    windows: { getLastFocused: async () => ({ id: 1, focused: true }) },
    idle: { queryState: async () => 'active' },
    keepalive: async () => calls.keepalive.push(timers.now),
    notifyPages: async (msg) => calls.notified.push([timers.now, msg]),
    request: request && (async (type, body) => {
      calls.requests.push([type, body]);
      return request(type, body);
    }),
    now: () => timers.now,
    newId: sequentialIds(),
  });
  const settle = async () => {
    for (let i = 0; i < 6; i++) {
      await enforcement.whenIdle();
      await new Promise((r) => setImmediate(r));
    }
  };
  /** Advances the fake clock step by step, letting the background's work run between timers. */
  const advance = async (ms, step = 1000) => {
    const end = timers.now + ms;
    while (timers.now < end) {
      timers.advance(Math.min(step, end - timers.now));
      await settle();
    }
  };
  const breakRules = () => dnr.rules.filter((r) => r.id >= BREAK_BASE);
  const events = (type) => (local.peek(KEYS.queue) ?? []).filter((e) => e.type === type);
  const send = (msg, sender) => route(msg, sender, { parts: enforcement, self });
  const pageSender = (tabId, href, frameId = 0) => ({ id: EXT_ID, url: href, tab: { id: tabId, windowId: 1 }, frameId });
  return { enforcement, local, timers, dnr, tabMap, calls, settle, advance, breakRules, events, send, pageSender };
}

test('browser started offline during a break: rules at once, open tabs switch (not attempts)', async () => {
  const h = setup({ tabs: [
    { id: 1, url: 'https://www.reddit.com/r/golang/' },
    { id: 2, url: 'https://example.org/' },
    { id: 3, url: 'https://old.reddit.com/r/all/?sort=top' },
  ] });
  h.timers.now = T0 + 5 * MIN;
  await h.enforcement.start();
  await h.settle();
  assert.equal(h.breakRules().length, 3);
  assert.deepEqual(h.calls.updated.map(([id]) => id), [1, 3]);
  const p = parseBreakUrl(h.calls.updated[1][1]);
  assert.deepEqual(p, { ok: true, key: 'adhoc:1', url: 'https://old.reddit.com/r/all/?sort=top', switched: true });
  assert.deepEqual(h.events('break_attempt'), [], 'a switch is not an attempt');
});

test('a scheduled break starts and ends on time from the cache: alarms, then a precise timer and keepalive', async () => {
  const start = T0 + 5 * MIN;
  const end = start + 2 * MIN;
  const h = setup({ breaks: [brk({ start: iso(start), end: iso(end) })], tabs: [{ id: 1, url: 'https://www.reddit.com/' }] });
  await h.enforcement.start();
  await h.settle();
  assert.deepEqual(h.breakRules(), [], 'not yet');
  assert.deepEqual(h.calls.alarms, [[BREAK_ALARM, { when: start }], [BREAK_SOON_ALARM, { when: start - MIN }]]);
  assert.deepEqual(h.calls.keepalive, [], 'far away: no keepalive');

  await h.advance(5 * MIN - 90_000 - 1);
  assert.deepEqual(h.calls.keepalive, []);
  await h.advance(1);
  assert.deepEqual(h.calls.keepalive, [start - 90_000], 'within 90 s: keep the worker awake');
  await h.advance(90_000 - 1);
  assert.deepEqual(h.breakRules(), [], 'not a millisecond early');
  assert.deepEqual(h.calls.updated, []);
  assert.deepEqual(h.calls.keepalive, [start - 90_000, start - 70_000, start - 50_000, start - 30_000, start - 10_000], 'every 20 s');
  await h.advance(1);
  assert.equal(h.breakRules().length, 3, 'on time');
  assert.deepEqual(h.calls.updated.map(([id]) => id), [1], 'the open tab switched at once');
  assert.ok(h.calls.updated[0][1].startsWith(`${BREAK}?k=adhoc%3A1&s=1&u=`));
  assert.deepEqual(h.calls.alarms.slice(-2), [[BREAK_ALARM, { when: end }], [BREAK_SOON_ALARM, { when: end - MIN }]], 'the end is next');

  await h.advance(2 * MIN - 1);
  assert.equal(h.breakRules().length, 3);
  const notifiedBefore = h.calls.notified.length;
  await h.advance(1);
  assert.deepEqual(h.breakRules(), [], 'rules removed on time');
  assert.equal(h.calls.notified.length, notifiedBefore + 1, 'the break page is told to look again');
  assert.deepEqual(h.calls.notified.at(-1), [end, { type: 'breaks_changed' }]);
  assert.ok(h.calls.cleared.includes(BREAK_ALARM), 'nothing more planned');
  await h.advance(60_000);
  const last = h.calls.keepalive.at(-1);
  assert.ok(last <= end + 5_000, 'keepalive stops just after the last transition');
  await h.advance(5 * MIN, 10_000);
  assert.equal(h.calls.keepalive.at(-1), last);
});

test('the worker slept through a transition: the next event catches up first', async () => {
  const start = T0 + 10 * MIN;
  const h = setup({ breaks: [brk({ start: iso(start) })], tabs: [{ id: 4, url: 'https://www.reddit.com/' }] });
  await h.enforcement.start();
  await h.settle();
  // No timer fires (the worker was stopped); the clock moves on.
  h.timers.now = start + 3000;
  assert.deepEqual(h.breakRules(), []);
  await h.enforcement.prompts.onTabActivated({ tabId: 4, windowId: 1 });
  await h.settle();
  assert.equal(h.breakRules().length, 3);
  assert.deepEqual(h.calls.updated.map(([id]) => id), [4]);
  // The reconnect alarm also wakes it: nothing changes twice.
  await h.enforcement.breaks.onWake();
  await h.settle();
  assert.equal(h.calls.updated.length, 1);
});

test('a break ended early (new state) removes the rules and tells the break pages; open-ended breaks run on', async () => {
  const h = setup({ breaks: [brk({ end: null, name: 'Break mode' })], tabs: [{ id: 1, url: 'https://www.reddit.com/' }] });
  await h.enforcement.start();
  await h.settle();
  assert.equal(h.breakRules().length, 3);
  await h.advance(365 * 24 * 60 * MIN, 24 * 60 * MIN);
  assert.equal(h.breakRules().length, 3, 'a year later, still on');
  const state = sampleState({ breaks: [brk({ end: iso(h.timers.now), name: 'Break mode' })] });
  await h.enforcement.onStorageChanged({ [KEYS.daemonState]: { newValue: state } }, 'local');
  await h.settle();
  assert.deepEqual(h.breakRules(), []);
  assert.deepEqual(h.calls.notified.at(-1)[1], { type: 'breaks_changed' });
});

test('break_info: the page learns name, end, reason, lock; asking records nothing', async () => {
  const h = setup();
  await h.enforcement.start();
  await h.settle();
  const href = `${BREAK}?k=adhoc%3A1&u=https://www.reddit.com/r/golang/`;
  const info = await h.send({ type: 'break_info', key: 'adhoc:1', url: 'https://www.reddit.com/r/golang/' }, h.pageSender(7, href));
  assert.deepEqual(info, {
    ok: true, state: 'on', now: T0, key: 'adhoc:1', name: 'Focus', start: T0, end: T0 + 60 * MIN, locked: false,
    reason: 'I want my evenings back.', waitSeconds: 10, leftThisWeek: 2,
  });
  await h.settle();
  assert.deepEqual(h.events('break_attempt'), [], 'the page asking is not an attempt (the commit is)');

  // After the end: "ended", and the page may go back (a site the cache knows); a made-up target may not.
  h.timers.now = T0 + 60 * MIN;
  const ended = await h.send({ type: 'break_info', key: 'adhoc:1', url: 'https://www.reddit.com/' }, h.pageSender(7, href));
  assert.deepEqual(ended, { ok: true, state: 'ended', returnOk: true });
  assert.deepEqual(h.breakRules(), [], 'the rules went first (caught up before the answer)');
  const evil = await h.send({ type: 'break_info', key: 'made-up', url: 'https://evil.example/' }, h.pageSender(7, href));
  assert.deepEqual(evil, { ok: true, state: 'ended', returnOk: false });
});

test('attempts: a break page committed by a redirect is one, even if the user leaves at once; reloads, back/forward and switches are not', async () => {
  const h = setup({ tabs: [{ id: 7, windowId: 2, url: 'about:blank' }] });
  await h.enforcement.start();
  await h.settle();
  const redirected = (u) => `${BREAK}?k=adhoc%3A1&u=${u}`;
  await h.enforcement.onCommitted({ tabId: 7, frameId: 0, url: redirected('https://www.reddit.com/r/golang/?x=1'), transitionType: 'typed', transitionQualifiers: ['server_redirect'] });
  await h.enforcement.onCommitted({ tabId: 7, frameId: 0, url: redirected('http://www.reddit.com/message/inbox'), transitionType: 'link', transitionQualifiers: [] });
  await h.enforcement.onCommitted({ tabId: 7, frameId: 0, url: 'https://example.org/', transitionType: 'typed', transitionQualifiers: [] });
  await h.settle();
  const evs = h.events('break_attempt');
  assert.deepEqual(evs.map((e) => [e.domain, e.break_key, e.tab_id, e.window_id]), [
    ['www.reddit.com', 'adhoc:1', 7, 2], ['www.reddit.com', 'adhoc:1', 7, 2],
  ]);
  for (const e of evs) assert.ok(validateEvent(e).ok);

  await h.enforcement.onCommitted({ tabId: 7, frameId: 0, url: redirected('https://www.reddit.com/'), transitionType: 'reload', transitionQualifiers: [] });
  await h.enforcement.onCommitted({ tabId: 7, frameId: 0, url: redirected('https://www.reddit.com/'), transitionType: 'link', transitionQualifiers: ['forward_back'] });
  await h.enforcement.onCommitted({ tabId: 7, frameId: 0, url: `${BREAK}?k=adhoc%3A1&s=1&u=${encodeURIComponent('https://www.reddit.com/')}`, transitionType: 'link', transitionQualifiers: [] });
  await h.enforcement.onCommitted({ tabId: 7, frameId: 2, url: redirected('https://www.reddit.com/'), transitionType: 'link', transitionQualifiers: [] });
  await h.enforcement.onCommitted({ tabId: 7, frameId: 0, url: `${BREAK}?k=made-up&u=https://evil.example/`, transitionType: 'link', transitionQualifiers: [] });
  await h.settle();
  assert.equal(h.events('break_attempt').length, 2, 'a reload, going back, a switched tab, a frame and a made-up break are not attempts');

  // The tab closed before its window was known: still an attempt, without a window.
  await h.enforcement.onCommitted({ tabId: 99, frameId: 0, url: redirected('https://www.reddit.com/'), transitionType: 'typed', transitionQualifiers: [] });
  await h.settle();
  const last = h.events('break_attempt').at(-1);
  assert.equal(last.tab_id, 99);
  assert.equal(last.window_id, undefined);
});

test('break_note: queued as a break_note event; empty notes and content scripts are refused', async () => {
  const h = setup();
  await h.enforcement.start();
  const href = `${BREAK}?k=adhoc%3A1&u=https://www.reddit.com/`;
  assert.deepEqual(await h.send({ type: 'break_note', key: 'adhoc:1', note: '  the Go release thread \n' }, h.pageSender(7, href)), { ok: true });
  assert.deepEqual(await h.send({ type: 'break_note', key: 'adhoc:1', note: '   ' }, h.pageSender(7, href)), { ok: false, error: 'empty' });
  assert.equal(h.send({ type: 'break_note', key: 'adhoc:1', note: 'x' }, { id: EXT_ID, url: 'https://www.reddit.com/', tab: { id: 7 }, frameId: 0 }), null);
  await h.settle();
  const notes = h.events('break_note');
  assert.equal(notes.length, 1);
  assert.deepEqual([notes[0].note, notes[0].break_key], ['the Go release thread', 'adhoc:1']);
  assert.ok(validateEvent(notes[0]).ok);
  const long = await h.send({ type: 'break_note', key: 'adhoc:1', note: 'é'.repeat(1500) }, h.pageSender(7, href));
  assert.deepEqual(long, { ok: true });
  await h.settle();
  assert.equal(new TextEncoder().encode(h.events('break_note')[1].note).length, 2000, 'cut to 2,000 bytes');
});

test('ending early: the ticket, the daemon\'s refusals, "not running", an empty reason never reaches the daemon', async () => {
  const answers = [];
  const h = setup({
    request: async (type) => {
      const a = answers.shift();
      if (a instanceof Error) throw a;
      return a ?? { type: `${type}_reply`, body: {} };
    },
  });
  await h.enforcement.start();
  const top = h.pageSender(7, `${BREAK}?k=adhoc%3A1&u=https://www.reddit.com/`);

  answers.push({ type: 'break_stop_ticket', body: { ticket: 'abc', not_before: '2026-11-23T15:00:10Z', name: 'Focus', end: '2026-11-23T16:00:00Z' } });
  assert.deepEqual(await h.send({ type: 'break_stop_request' }, top), {
    ok: true, ticket: 'abc', notBefore: T0 + 10_000, name: 'Focus', end: T0 + 60 * MIN,
  });

  answers.push(Object.assign(new Error('this break is locked: it cannot be ended early'), { code: 'refused' }));
  assert.deepEqual(await h.send({ type: 'break_stop_request' }, top), { ok: false, code: 'refused', error: 'This break is locked: it cannot be ended early.' });

  answers.push(Object.assign(new Error('not connected to mindful'), { code: 'not_connected' }));
  assert.deepEqual(await h.send({ type: 'break_stop_request' }, top), { ok: false, code: 'not_connected', error: NOT_RUNNING_TEXT });
  answers.push(Object.assign(new Error('mindful did not answer in time'), { code: 'timeout' }));
  assert.equal((await h.send({ type: 'break_stop_request' }, top)).code, 'timeout');

  const before = h.calls.requests.length;
  const empty = await h.send({ type: 'break_stop', ticket: 'abc', reason: '   ' }, top);
  assert.equal(empty.ok, false);
  assert.equal(empty.field, 'reason');
  assert.equal(h.calls.requests.length, before, 'not sent');

  answers.push({ type: 'break_stopped', body: { name: 'Focus', at: '2026-11-23T15:00:12Z' } });
  assert.deepEqual(await h.send({ type: 'break_stop', ticket: 'abc', reason: '  my sister\nsent a link ' }, top), { ok: true, name: 'Focus', at: '2026-11-23T15:00:12Z' });
  assert.deepEqual(h.calls.requests.at(-1), ['break_stop', { ticket: 'abc', reason: 'my sister sent a link' }]);

  answers.push(Object.assign(new Error('wait 3s more'), { code: 'refused' }));
  assert.deepEqual(await h.send({ type: 'break_stop', ticket: 'abc', reason: 'now' }, top), { ok: false, code: 'refused', error: 'Wait 3s more.' });

  const framed = h.pageSender(7, `${BREAK}?k=adhoc%3A1&u=https://www.reddit.com/`, 5);
  const n = h.calls.requests.length;
  assert.equal((await h.send({ type: 'break_stop_request' }, framed)).ok, false, 'a framed break page cannot end a break');
  assert.equal((await h.send({ type: 'break_stop', ticket: 'abc', reason: 'x' }, framed)).ok, false);
  assert.equal(h.calls.requests.length, n);
});

test('without a connection at all, ending early says mindful is not running', async () => {
  const h = setup();
  await h.enforcement.start();
  const r = await h.send({ type: 'break_stop_request' }, h.pageSender(7, `${BREAK}?k=a&u=https://www.reddit.com/`));
  assert.deepEqual(r, { ok: false, code: 'not_connected', error: NOT_RUNNING_TEXT });
});

test('a blocked site that commits during a break anyway (no rule applied) is switched to the break page', async () => {
  const h = setup({ tabs: [{ id: 3, url: 'https://example.org/' }] });
  await h.enforcement.start();
  await h.settle();
  h.tabMap.get(3).url = 'https://www.reddit.com/r/golang/';
  await h.enforcement.onCommitted({ tabId: 3, frameId: 0, url: 'https://www.reddit.com/r/golang/' });
  await h.settle();
  assert.deepEqual(h.calls.updated.map(([id]) => id), [3]);
  await h.enforcement.onCommitted({ tabId: 3, frameId: 0, url: 'https://example.org/' });
  await h.settle();
  assert.equal(h.calls.updated.length, 1);
});

test('a tab that loaded a break site without a commit the background saw (restored at launch) is switched when tabs.onUpdated reports it', async () => {
  const h = setup({ tabs: [{ id: 3, url: 'https://example.org/' }, { id: 4, url: 'https://example.org/' }] });
  await h.enforcement.start();
  await h.settle();
  // No onCommitted: the browser loaded the page before the listeners were there.
  h.tabMap.get(3).url = 'https://old.reddit.com/r/golang/';
  await h.enforcement.onTabUpdated(3, { title: 'golang' }, { id: 3, url: 'https://old.reddit.com/r/golang/' });
  await h.settle();
  assert.deepEqual(h.calls.updated, [], 'a title change is not a load');
  await h.enforcement.onTabUpdated(3, { status: 'complete' }, { id: 3, url: 'https://old.reddit.com/r/golang/', status: 'complete' });
  await h.settle();
  assert.deepEqual(h.calls.updated.map(([id]) => id), [3]);
  assert.deepEqual(parseBreakUrl(h.calls.updated[0][1]), { ok: true, key: 'adhoc:1', url: 'https://old.reddit.com/r/golang/', switched: true });
  // The event's snapshot is older than the switch: the tab is on the break page now.
  await h.enforcement.onTabUpdated(3, { status: 'complete' }, { id: 3, url: 'https://old.reddit.com/r/golang/', status: 'complete' });
  await h.enforcement.onTabUpdated(4, { url: 'https://example.org/next' }, { id: 4, url: 'https://example.org/next' });
  await h.settle();
  assert.equal(h.calls.updated.length, 1, 'switched once; other sites are left alone');
  assert.deepEqual(h.events('break_attempt'), [], 'a switch is not an attempt');
});
