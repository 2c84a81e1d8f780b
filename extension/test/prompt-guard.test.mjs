// The prompt guard (with the rest of enforcement.js) on fake browser APIs and
// a fake clock: the prompt flows end to end, from rules to recorded events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue } from '../src/background/queue.js';
import { Enforcement } from '../src/background/enforcement.js';
import { GRANT_ALARM, OVERLAY_FALLBACK_MS, PAUSE_ALARM, PORT_GRACE_MS } from '../src/background/prompt-guard.js';
import { route } from '../src/background/router.js';
import { validateEvent } from '../src/shared/protocol.js';
import { KEYS, SESSION_KEYS } from '../src/shared/storage-keys.js';
import { FakeDnr, FakeTimers, MemoryStorage, portPair, sampleState, sequentialIds } from './fakes.mjs';

const EXT_ID = 'lbcebegdchechefjbefnojockkfhgifo';
const BASE = `chrome-extension://${EXT_ID}/`;
const PROMPT = `${BASE}src/pages/prompt/prompt.html`;
const T0 = Date.UTC(2026, 10, 23, 15, 0, 0);
const self = { id: EXT_ID, baseUrl: BASE };

function setup({ state = sampleState(), tabs = [], local: initial = {}, noContentScript = [] } = {}) {
  const local = new MemoryStorage({ [KEYS.daemonState]: state, ...initial });
  const session = new MemoryStorage({}, { areaName: 'session' });
  const queue = new EventQueue({ storage: local });
  const timers = new FakeTimers();
  timers.now = T0;
  const dnr = new FakeDnr({ decided: true });
  const tabMap = new Map(tabs.map((t) => [t.id, { windowId: 1, active: false, ...t }]));
  const calls = { sent: [], updated: [], removed: [], alarms: [], cleared: [] };
  const replies = { overlay_close: () => ({ ok: true, wentBack: true }) };
  const tabsApi = {
    query: async () => [...tabMap.values()].map((t) => ({ ...t })),
    get: async (id) => {
      if (!tabMap.has(id)) throw new Error(`No tab with id: ${id}.`);
      return { ...tabMap.get(id) };
    },
    update: async (id, { url }) => {
      calls.updated.push([id, url]);
      tabMap.get(id).url = url;
    },
    remove: async (id) => {
      calls.removed.push(id);
      tabMap.delete(id);
    },
    sendMessage: async (id, msg, opts) => {
      calls.sent.push([id, msg, opts]);
      if (noContentScript.includes(id) || !tabMap.has(id)) throw new Error('Could not establish connection. Receiving end does not exist.');
      return replies[msg.type]?.(id, msg) ?? { ok: true };
    },
  };
  const alarms = {
    create: async (name, info) => calls.alarms.push([name, info]),
    clear: async (name) => calls.cleared.push(name),
  };
  const enforcement = new Enforcement({
    local, session, dnr, tabs: tabsApi, alarms, queue, promptUrl: PROMPT, timers,
    windows: { getLastFocused: async () => ({ id: 1, focused: true }) },
    idle: { queryState: async () => 'active' },
    now: () => timers.now,
    newId: sequentialIds(),
  });
  const routeFn = (msg, sender, port) => route(msg, sender, { parts: enforcement, self, port });
  const settle = async () => {
    for (let i = 0; i < 6; i++) {
      await enforcement.whenIdle();
      await new Promise((r) => setImmediate(r));
    }
  };
  /** Opens a prompt page in a tab (frameId > 0: inside the overlay) and returns its port and first reply. */
  const openPage = async (tabId, { feedId = 'reddit', url = 'https://www.reddit.com/', mode = 'navigation', frameId = 0, doneFor } = {}) => {
    const pageUrl = mode === 'navigation' ? `${PROMPT}?f=${feedId}&u=${url}` : `${PROMPT}?f=${feedId}&u=${encodeURIComponent(url)}&mode=${mode}`;
    const { page, bg } = portPair({ id: EXT_ID, url: pageUrl, tab: { id: tabId, windowId: 1 }, frameId });
    enforcement.prompts.onConnect(bg, routeFn);
    page.postMessage({ rid: 1, type: 'prompt_open', feedId, url, mode, ...(doneFor ? { doneFor } : {}) });
    await settle();
    return { page, bg, opened: page.received.find((m) => m.rid === 1)?.result };
  };
  let rid = 100;
  const answer = async (page, msg) => {
    rid += 1;
    page.postMessage({ rid, type: 'prompt_answer', ...msg });
    await settle();
    return page.received.find((m) => m.rid === rid)?.result;
  };
  const events = () => local.peek(KEYS.queue) ?? [];
  const prompts = () => events().filter((e) => e.type === 'prompt');
  const feedTimes = () => events().filter((e) => e.type === 'feed_time');
  return { enforcement, local, session, queue, timers, dnr, tabMap, calls, replies, settle, openPage, answer, events, prompts, feedTimes, routeFn };
}

const redirectIds = (dnr) => dnr.rules.filter((r) => r.action.type === 'redirect').map((r) => r.id);
const allowIds = (dnr) => dnr.rules.filter((r) => r.action.type === 'allow').map((r) => r.id);

test('start rebuilds the rules from the cached state and replaces whatever dynamic rules were there', async () => {
  const h = setup();
  h.dnr.rules = [{ id: 1_000_000, priority: 1, action: { type: 'block' }, condition: { urlFilter: 'stale' } }, { id: 42, priority: 1, action: { type: 'block' }, condition: { urlFilter: 'old' } }];
  await h.enforcement.start();
  await h.settle();
  assert.deepEqual(redirectIds(h.dnr), [1_000_000, 1_000_001, 1_002_000]);
  assert.deepEqual(allowIds(h.dnr), []);
  assert.ok(h.dnr.rules.every((r) => r.action.type === 'redirect' && r.action.redirect.regexSubstitution.startsWith(`${PROMPT}?f=`)));
  // The browser was killed: rules gone. The next start (a new background) puts them back.
  const again = setup();
  await again.enforcement.start();
  assert.equal(again.dnr.rules.length, 3);
});

test('a new state (welcome or state message) rebuilds the rules; a prompt pause removes them until it ends', async () => {
  const h = setup();
  await h.enforcement.start();
  await h.local.set({ [KEYS.daemonState]: sampleState({ prompts_paused_until: new Date(T0 + 30 * 60_000).toISOString() }) });
  await h.enforcement.onStorageChanged({ [KEYS.daemonState]: { newValue: h.local.peek(KEYS.daemonState) } }, 'local');
  await h.settle();
  assert.deepEqual(h.dnr.rules, [], 'paused: no rules');
  assert.deepEqual(h.calls.alarms.at(-1), [PAUSE_ALARM, { when: T0 + 30 * 60_000 }]);
  const { opened } = await h.openPage(5);
  assert.equal(opened.paused, true, 'a prompt page that still opens just continues');
  assert.equal(opened.action, 'continue');
  h.timers.advance(30 * 60_000);
  await h.settle();
  assert.equal(h.dnr.rules.length, 3, 'the pause ended: rules are back');
  await h.enforcement.onStorageChanged({ [KEYS.daemonState]: { newValue: sampleState({ feeds: [] }) } }, 'local');
  await h.settle();
  assert.deepEqual(h.dnr.rules, []);
  assert.equal((await h.enforcement.onStorageChanged({ other: {} }, 'local')), undefined);
});

test('navigation: pause, then need → event, grant, allow rules, the page continues to the feed', async () => {
  const h = setup({ tabs: [{ id: 5, url: PROMPT, active: true }, { id: 9, url: 'https://www.reddit.com/message/inbox' }] });
  await h.enforcement.start();
  const { page, opened } = await h.openPage(5, { url: 'https://www.reddit.com/?feed=home' });
  assert.deepEqual(opened, { ok: true, name: 'Reddit', timeboxes: [5, 15, 30], defaultTimebox: 15, pauseMs: 3000, canExtend: false });
  h.timers.advance(1000);
  assert.deepEqual(await h.answer(page, { answer: 'need', purpose: 'Work', timeboxMinutes: 5 }), { ok: false, error: 'pause' });
  h.timers.advance(5400);
  assert.deepEqual(await h.answer(page, { answer: 'need', purpose: 'Reply to a message', timeboxMinutes: 5 }), { ok: true, action: 'continue' });
  const [ev] = h.prompts();
  assert.deepEqual(ev, {
    id: ev.id, ts: '2026-11-23T15:00:06.400Z', type: 'prompt', tab_id: 5, window_id: 1, domain: 'www.reddit.com', feed_id: 'reddit',
    answer: 'need', seconds_to_answer: 6.4, via: 'navigation', purpose: 'Reply to a message', timebox_minutes: 5,
  });
  assert.ok(validateEvent(ev).ok);
  assert.deepEqual(allowIds(h.dnr), [2_000_000, 2_000_001], 'the feed is allowed before the page continues');
  const grants = await h.enforcement.prompts.grants();
  assert.equal(grants.length, 1);
  assert.equal(grants[0].promptId, ev.id);
  assert.equal(grants[0].endsAt, T0 + 6400 + 5 * 60_000);
  assert.deepEqual(h.calls.alarms.at(-1), [GRANT_ALARM, { when: T0 + 6400 + 5 * 60_000 }]);
  const bcast = h.calls.sent.filter(([, m]) => m.type === 'mindful_state');
  assert.deepEqual(bcast.map(([id]) => id), [9], 'content scripts on reddit hosts learn the grant');
  assert.deepEqual(bcast[0][1].state.grants, [{ feedId: 'reddit', endsAt: T0 + 6400 + 5 * 60_000 }]);
  assert.equal(JSON.stringify(h.session.peek(SESSION_KEYS.prompts)), '{}', 'no prompt pending any more');
});

test('no duplicate prompts within a grant: another tab, a reload, a waiting second tab goes on by itself', async () => {
  const h = setup();
  await h.enforcement.start();
  const a = await h.openPage(5);
  const b = await h.openPage(6); // a second tab asked at the same time (e.g. session restore)
  h.timers.advance(4000);
  await h.answer(a.page, { answer: 'habit_continued' });
  assert.deepEqual(b.page.received.at(-1), { type: 'granted', action: 'continue' }, 'the waiting tab continues');
  const c = await h.openPage(7, { url: 'https://reddit.com/r/golang' }); // a third tab (e.g. rules raced)
  assert.equal(c.opened.granted, true);
  assert.equal(c.opened.action, 'continue');
  const reload = await h.openPage(5); // the first tab reloads the old prompt page
  assert.equal(reload.opened.granted, true);
  assert.deepEqual(h.prompts().map((e) => [e.tab_id, e.answer]), [[5, 'habit_continued']], 'one answer, one event');
  b.page.disconnect();
  h.timers.advance(PORT_GRACE_MS + 10);
  await h.settle();
  assert.equal(h.prompts().length, 1, 'a released prompt records nothing when its page goes');
});

test('habit: back when there is history, the tab closes when there is none; the next pause is longer', async () => {
  const h = setup({ tabs: [{ id: 5, url: PROMPT }, { id: 6, url: PROMPT }] });
  await h.enforcement.start();
  const a = await h.openPage(5);
  h.timers.advance(3000);
  assert.deepEqual(await h.answer(a.page, { answer: 'habit', canGoBack: true }), { ok: true, action: 'back' });
  const b = await h.openPage(6);
  assert.equal(b.opened.pauseMs, 4000, 'one habit open today: 3 s + 1 s');
  h.timers.advance(4000);
  assert.deepEqual(await h.answer(b.page, { answer: 'habit', canGoBack: false }), { ok: true, action: 'none' });
  assert.deepEqual(h.calls.removed, [6]);
  assert.deepEqual(h.local.peek(KEYS.habitLog), [T0 + 3000, T0 + 7000]);
  const c = await h.openPage(7);
  assert.equal(c.opened.pauseMs, 5000);
  // The daemon's next state counts them itself: the local log starts again.
  await h.enforcement.onStorageChanged({ [KEYS.daemonState]: { newValue: sampleState({ habit_opens_today: 9 }) } }, 'local');
  const d = await h.openPage(8);
  assert.equal(d.opened.pauseMs, 10_000, 'capped at pause_max_seconds');
});

test('closing the tab during the pause is left_during_pause; after it, habit; once only', async () => {
  const h = setup();
  await h.enforcement.start();
  await h.openPage(5);
  h.timers.advance(1500);
  await h.enforcement.prompts.onTabRemoved(5);
  await h.openPage(6);
  h.timers.advance(8000);
  await h.enforcement.prompts.onTabRemoved(6);
  await h.enforcement.prompts.onTabRemoved(6);
  await h.settle();
  assert.deepEqual(h.prompts().map((e) => [e.tab_id, e.answer, e.seconds_to_answer]), [[5, 'left_during_pause', 1.5], [6, 'habit', 8]]);
  for (const e of h.prompts()) assert.ok(validateEvent(e).ok);
});

test('navigating away from the prompt is recorded; the prompt page committing itself is not', async () => {
  const h = setup();
  await h.enforcement.start();
  await h.openPage(5);
  await h.enforcement.onCommitted({ tabId: 5, frameId: 0, url: `${PROMPT}?f=reddit&u=https://www.reddit.com/`, timeStamp: T0 + 5 });
  await h.enforcement.onCommitted({ tabId: 5, frameId: 3, url: 'https://ads.example/', timeStamp: T0 + 6 });
  assert.equal(h.prompts().length, 0);
  h.timers.advance(2000);
  await h.enforcement.onCommitted({ tabId: 5, frameId: 0, url: 'https://example.org/', timeStamp: T0 + 2000 });
  await h.settle();
  assert.deepEqual(h.prompts().map((e) => e.answer), ['left_during_pause']);
});

test('the overlay removed (its page gone) counts after a grace time; a quick re-attach resumes the same prompt', async () => {
  const h = setup();
  await h.enforcement.start();
  const a = await h.openPage(5, { mode: 'overlay', frameId: 4 });
  assert.equal(a.opened.pauseMs, 3000);
  h.timers.advance(1000);
  a.page.disconnect(); // the page rebuilt <html>; the content script re-attaches the overlay
  await h.settle();
  h.timers.advance(300);
  const b = await h.openPage(5, { mode: 'overlay', frameId: 4 });
  assert.equal(b.opened.pauseMs, 1700, 'the pause goes on where it was');
  h.timers.advance(PORT_GRACE_MS * 2);
  await h.settle();
  assert.equal(h.prompts().length, 0);
  b.page.disconnect(); // the user went back: the overlay is gone for good
  await h.settle();
  h.timers.advance(PORT_GRACE_MS);
  await h.settle();
  assert.deepEqual(h.prompts().map((e) => [e.answer, e.via]), [['habit', 'spa']]);
});

test('overlay answers: need removes the overlay, habit goes back in the page or closes the tab', async () => {
  const h = setup({ tabs: [{ id: 5, url: 'https://www.reddit.com/' }, { id: 6, url: 'https://x.com/home' }] });
  await h.enforcement.start();
  const a = await h.openPage(5, { mode: 'overlay', frameId: 4, url: 'https://www.reddit.com/r/golang' });
  h.timers.advance(3000);
  assert.deepEqual(await h.answer(a.page, { answer: 'need', purpose: 'Look something up', timeboxMinutes: 15 }), { ok: true, action: 'none' });
  assert.deepEqual(h.calls.sent.filter(([, m]) => m.type === 'overlay_close'), [[5, { type: 'overlay_close', action: 'continue' }, { frameId: 0 }]]);
  assert.equal(h.prompts()[0].via, 'spa');
  h.replies.overlay_close = () => ({ ok: true, wentBack: false });
  const b = await h.openPage(6, { mode: 'overlay', frameId: 2, feedId: 'x', url: 'https://x.com/home' });
  h.timers.advance(3000);
  assert.deepEqual(await h.answer(b.page, { answer: 'habit', canGoBack: true }), { ok: true, action: 'none' });
  assert.deepEqual(h.calls.sent.filter(([, m]) => m.type === 'overlay_close').at(-1)[1], { type: 'overlay_close', action: 'back' });
  assert.deepEqual(h.calls.removed, [6], 'nothing to go back to in the page: the tab closes');
});

test('an overlay whose prompt page never opens is replaced by the prompt page', async () => {
  const h = setup({ tabs: [{ id: 5, url: 'https://www.reddit.com/' }] });
  await h.enforcement.start();
  const sender = { id: EXT_ID, url: 'https://www.reddit.com/', tab: { id: 5, windowId: 1 }, frameId: 0 };
  h.tabMap.get(5).url = 'https://www.reddit.com/?x=1';
  await h.routeFn({ type: 'overlay_shown', feedId: 'reddit', url: 'https://www.reddit.com/?x=1' }, sender);
  h.timers.advance(OVERLAY_FALLBACK_MS);
  await h.settle();
  assert.deepEqual(h.calls.updated, [[5, `${PROMPT}?f=reddit&n=Reddit&u=${encodeURIComponent('https://www.reddit.com/?x=1')}`]]);
  // When the frame does open in time, nothing happens.
  h.tabMap.get(5).url = 'https://www.reddit.com/';
  await h.routeFn({ type: 'overlay_shown', feedId: 'reddit', url: 'https://www.reddit.com/' }, sender);
  await h.openPage(5, { mode: 'overlay', frameId: 4 });
  h.timers.advance(OVERLAY_FALLBACK_MS);
  await h.settle();
  assert.equal(h.calls.updated.length, 1);
  // Nor when the tab went elsewhere meanwhile (a new document, or an in-page move off the feed).
  await h.enforcement.prompts.onTabRemoved(5);
  h.tabMap.set(6, { id: 6, windowId: 1, url: 'https://www.reddit.com/' });
  await h.routeFn({ type: 'overlay_shown', feedId: 'reddit', url: 'https://www.reddit.com/' }, { ...sender, tab: { id: 6, windowId: 1 } });
  await h.enforcement.onCommitted({ tabId: 6, frameId: 0, url: 'https://www.reddit.com/message/inbox', timeStamp: h.timers.now });
  h.tabMap.set(7, { id: 7, windowId: 1, url: 'https://www.reddit.com/' });
  await h.routeFn({ type: 'overlay_shown', feedId: 'reddit', url: 'https://www.reddit.com/' }, { ...sender, tab: { id: 7, windowId: 1 } });
  h.tabMap.get(7).url = 'https://www.reddit.com/settings';
  h.timers.advance(OVERLAY_FALLBACK_MS);
  await h.settle();
  assert.equal(h.calls.updated.length, 1, 'no tab is sent anywhere it no longer is');
});

test('time box over: feed_time with the seconds in front, rules back, a "done?" on tabs still on the feed', async () => {
  const h = setup({ tabs: [{ id: 5, url: PROMPT, active: true }, { id: 8, url: 'https://www.reddit.com/r/golang', windowId: 2 }] });
  h.tabMap.get(8).windowId = 2;
  await h.enforcement.start();
  const { page } = await h.openPage(5);
  h.timers.advance(3000);
  await h.answer(page, { answer: 'need', purpose: 'Work', timeboxMinutes: 5 });
  const promptId = h.prompts()[0].id;
  h.timers.advance(1000);
  await h.enforcement.onCommitted({ tabId: 5, frameId: 0, url: 'https://www.reddit.com/', timeStamp: h.timers.now });
  h.tabMap.get(5).url = 'https://www.reddit.com/';
  h.timers.advance(100_000); // 100 s in front
  await h.enforcement.prompts.onFocusChanged(-1); // the browser loses focus for 50 s
  h.timers.advance(50_000);
  await h.enforcement.prompts.onFocusChanged(1);
  h.timers.advance(5 * 60_000); // the alarm/timer fires at the end of the box
  await h.settle();
  const fts = h.feedTimes();
  assert.deepEqual(fts.map((e) => [e.prompt_id, e.feed_id, e.seconds]), [[promptId, 'reddit', 249]], '100 s + (300 - 1 - 100 - 50) s');
  assert.ok(validateEvent(fts[0]).ok);
  assert.deepEqual(allowIds(h.dnr), [], 'the allow rules are gone');
  assert.deepEqual(await h.enforcement.prompts.grants(), []);
  const done = h.calls.sent.filter(([, m]) => m.type === 'show_done');
  assert.deepEqual(done.map(([id, m]) => [id, m.feedId, m.promptId]), [[5, 'reddit', promptId], [8, 'reddit', promptId]]);
});

test('a visit that ends when the last tab leaves the feed reports its time then', async () => {
  const h = setup({ tabs: [{ id: 5, url: PROMPT, active: true }] });
  await h.enforcement.start();
  const { page } = await h.openPage(5);
  h.timers.advance(3000);
  await h.answer(page, { answer: 'habit_continued' });
  await h.enforcement.onCommitted({ tabId: 5, frameId: 0, url: 'https://www.reddit.com/', timeStamp: h.timers.now });
  h.timers.advance(30_000);
  await h.enforcement.prompts.onHistoryStateUpdated({ tabId: 5, frameId: 0, url: 'https://www.reddit.com/r/golang/comments/abc/x/' });
  await h.settle();
  assert.deepEqual(h.feedTimes().map((e) => e.seconds), [30]);
  assert.equal((await h.enforcement.prompts.grants()).length, 1, 'the grant stays for its time box');
});

test('done?: extend once (an event with extends), and the second done offers only leave', async () => {
  const h = setup({ tabs: [{ id: 5, url: 'https://www.reddit.com/', active: true }], noContentScript: [5] });
  await h.enforcement.start();
  const a = await h.openPage(5);
  h.timers.advance(3000);
  await h.answer(a.page, { answer: 'need', purpose: 'Work', timeboxMinutes: 5 });
  const original = h.prompts()[0].id;
  await h.enforcement.onCommitted({ tabId: 5, frameId: 0, url: 'https://www.reddit.com/', timeStamp: h.timers.now });
  h.timers.advance(5 * 60_000);
  await h.settle();
  // No content script answered: the tab was sent to the done page itself.
  const doneUrl = `${PROMPT}?f=reddit&n=Reddit&u=${encodeURIComponent('https://www.reddit.com/')}&mode=done&p=${encodeURIComponent(original)}`;
  assert.deepEqual(h.calls.updated.at(-1), [5, doneUrl]);
  await h.enforcement.onCommitted({ tabId: 5, frameId: 0, url: doneUrl, timeStamp: h.timers.now });
  const d1 = await h.openPage(5, { mode: 'done', doneFor: original });
  assert.equal(d1.opened.canExtend, true);
  assert.equal(d1.opened.pauseMs, 0, 'no breathing pause on "done?"');
  h.timers.advance(2500);
  assert.deepEqual(await h.answer(d1.page, { answer: 'need', purpose: 'Finish reading', timeboxMinutes: 5 }), { ok: true, action: 'continue' });
  const ext = h.prompts()[1];
  assert.equal(ext.extends, original);
  assert.equal(ext.answer, 'need');
  assert.equal(ext.seconds_to_answer, 2.5);
  assert.ok(validateEvent(ext).ok);
  await h.enforcement.onCommitted({ tabId: 5, frameId: 0, url: 'https://www.reddit.com/', timeStamp: h.timers.now });
  h.timers.advance(5 * 60_000);
  await h.settle();
  assert.ok(h.calls.updated.at(-1)[1].endsWith(`&p=${ext.id}`));
  const d2 = await h.openPage(5, { mode: 'done', doneFor: ext.id });
  assert.equal(d2.opened.canExtend, false, 'an extension is not extended again');
  assert.deepEqual(await h.answer(d2.page, { answer: 'need', purpose: 'more', timeboxMinutes: 5 }), { ok: false, error: 'no_extend' });
  assert.deepEqual(await h.answer(d2.page, { answer: 'leave', canGoBack: true }), { ok: true, action: 'back' });
  assert.equal(h.prompts().length, 2, 'leave records nothing');
  const d3 = await h.openPage(5, { mode: 'done', doneFor: original });
  assert.equal(d3.opened.canExtend, false, 'the original was extended once already');
});

test('a prompt page opened by some site with a target that is not the feed refuses to run', async () => {
  const h = setup();
  await h.enforcement.start();
  for (const url of ['https://evil.example/', 'https://www.reddit.com/message/inbox', 'https://x.com/home']) {
    const { opened } = await h.openPage(5, { url });
    assert.deepEqual(opened, { ok: false, error: 'not_a_feed' }, url);
  }
  assert.deepEqual(h.session.peek(SESSION_KEYS.prompts), undefined, 'nothing pending');
  const { opened } = await h.openPage(5, { feedId: 'gone', url: 'https://gone.example/' });
  assert.equal(opened.granted, true, 'a feed no longer in the catalog just continues');
});

test('content scripts get the catalog, grants and pause; an untrusted port cannot answer', async () => {
  const h = setup();
  await h.enforcement.start();
  const cs = await h.enforcement.prompts.contentState();
  assert.deepEqual(cs.catalog.map((f) => f.id), ['reddit', 'x']);
  assert.ok(cs.catalog[0].res.length > 0 && cs.catalog[0].res.every((r) => typeof r === 'string'));
  assert.deepEqual(cs.grants, []);
  assert.equal(cs.pausedUntil, null);
  assert.ok(!JSON.stringify(cs).includes('token'));
  // A content script connects a port named "prompt": every message is refused.
  const { page, bg } = portPair({ id: EXT_ID, url: 'https://www.reddit.com/', tab: { id: 5, windowId: 1 }, frameId: 0 });
  h.enforcement.prompts.onConnect(bg, h.routeFn);
  page.postMessage({ rid: 1, type: 'prompt_open', feedId: 'reddit', url: 'https://www.reddit.com/', mode: 'navigation' });
  h.timers.advance(10_000);
  page.postMessage({ rid: 2, type: 'prompt_answer', answer: 'need', purpose: 'x', timeboxMinutes: 30 });
  await h.settle();
  assert.deepEqual(page.received, [{ rid: 1, result: { ok: false, error: 'refused' } }, { rid: 2, result: { ok: false, error: 'refused' } }]);
  assert.deepEqual(h.events(), []);
  assert.deepEqual(allowIds(h.dnr), []);
});

test('with the daemon away, answers wait in the queue with their ids and times', async () => {
  const h = setup();
  await h.enforcement.start();
  const a = await h.openPage(5);
  h.timers.advance(3200);
  await h.answer(a.page, { answer: 'habit', canGoBack: true });
  const q = await h.queue.peek();
  assert.equal(q.length, 1);
  assert.equal(q[0].ts, new Date(T0 + 3200).toISOString());
  assert.match(q[0].id, /^00000000-0000-4000-8000-/);
});

test('grants survive a background restart; pending prompts survive in storage.session', async () => {
  const h = setup();
  await h.enforcement.start();
  const a = await h.openPage(5);
  await h.openPage(6, { feedId: 'x', url: 'https://x.com/home' });
  h.timers.advance(3000);
  await h.answer(a.page, { answer: 'need', purpose: 'Work', timeboxMinutes: 15 });
  const restarted = new Enforcement({
    local: h.local, session: h.session, dnr: new FakeDnr(), tabs: { query: async () => [], sendMessage: async () => ({}) },
    alarms: { create: async () => {}, clear: async () => {} }, queue: h.queue, promptUrl: PROMPT, timers: h.timers,
    now: () => h.timers.now, newId: sequentialIds(7),
  });
  await restarted.start();
  assert.equal((await restarted.prompts.grants()).length, 1);
  h.timers.advance(500);
  await restarted.prompts.onTabRemoved(6);
  await restarted.whenIdle();
  assert.deepEqual(h.prompts().map((e) => [e.tab_id, e.answer]), [[5, 'need'], [6, 'habit']]);
});
