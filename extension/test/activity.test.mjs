import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActivityTracker } from '../src/background/activity.js';
import { EventQueue } from '../src/background/queue.js';
import { TabMap } from '../src/background/tab-map.js';
import { validateEvent } from '../src/shared/protocol.js';
import { KEYS, SESSION_KEYS } from '../src/shared/storage-keys.js';
import { MemoryStorage, sequentialIds } from './fakes.mjs';

const T0 = Date.UTC(2026, 10, 23, 15, 21, 26, 123);

function setup({ tabs = {} } = {}) {
  const local = new MemoryStorage();
  const session = new MemoryStorage({}, { areaName: 'session' });
  const queue = new EventQueue({ storage: local });
  const tabMap = new TabMap({ storage: session });
  const clock = { now: T0 };
  let queued = 0;
  const pendingGets = [];
  const tracker = new ActivityTracker({
    queue,
    tabMap,
    tabs: {
      get: async (id) => {
        if (!(id in tabs)) throw new Error(`No tab with id: ${id}.`);
        return tabs[id];
      },
    },
    newId: sequentialIds(),
    now: () => clock.now,
    onQueued: () => (queued += 1),
  });
  const events = () => local.peek(KEYS.queue) ?? [];
  return { local, session, queue, tabMap, tracker, clock, events, queuedCalls: () => queued, pendingGets };
}

test('onCommitted of a top-level frame queues tab_navigated without query or fragment', async () => {
  const h = setup({ tabs: { 12: { id: 12, windowId: 3, url: 'https://www.reddit.com/r/golang/?x=1#c' } } });
  await h.tracker.onCommitted({ tabId: 12, frameId: 0, url: 'https://WWW.Reddit.com/r/golang/?sort=new#top' });
  assert.deepEqual(h.events(), [
    {
      id: '00000000-0000-4000-8000-000000000001',
      ts: '2026-11-23T15:21:26.123Z',
      type: 'tab_navigated',
      tab_id: 12,
      window_id: 3,
      domain: 'www.reddit.com',
      url: 'https://www.reddit.com/r/golang/',
    },
  ]);
  assert.equal(h.queuedCalls(), 1, 'the connection is told to flush');
});

test('subframe navigations are not reported', async () => {
  const h = setup({ tabs: { 12: { id: 12, windowId: 3 } } });
  assert.equal(await h.tracker.onCommitted({ tabId: 12, frameId: 4, url: 'https://ads.example/' }), false);
  assert.equal(await h.tracker.onCommitted({ tabId: -1, frameId: 0, url: 'https://x.example/' }), false);
  assert.deepEqual(h.events(), []);
  assert.equal(h.queuedCalls(), 0);
});

test('non-web pages get domain "" and no url', async () => {
  const h = setup({ tabs: { 5: { id: 5, windowId: 1 } } });
  await h.tracker.onCommitted({ tabId: 5, frameId: 0, url: 'chrome://newtab/' });
  await h.tracker.onCommitted({ tabId: 5, frameId: 0, url: 'about:blank' });
  for (const ev of h.events()) {
    assert.equal(ev.domain, '');
    assert.ok(!('url' in ev));
  }
  assert.equal(h.events().length, 2);
});

test('id and ts are taken when the event happens, not after the lookups', async () => {
  let release;
  const gate = new Promise((r) => (release = r));
  const h = setup();
  const tracker = new ActivityTracker({
    queue: h.queue,
    tabMap: h.tabMap,
    tabs: { get: async () => { await gate; return { windowId: 9, url: 'https://example.org/' }; } },
    newId: sequentialIds(),
    now: () => h.clock.now,
  });
  const p1 = tracker.onActivated({ tabId: 1, windowId: 9 });
  h.clock.now = T0 + 5000;
  const p2 = tracker.onFocusChanged(-1);
  release();
  await Promise.all([p1, p2]);
  const [a, f] = h.events();
  assert.equal(a.type, 'tab_activated');
  assert.equal(a.ts, '2026-11-23T15:21:26.123Z');
  assert.equal(a.domain, 'example.org');
  assert.equal(f.type, 'window_focus');
  assert.equal(f.ts, '2026-11-23T15:21:31.123Z');
  assert.equal(f.window_id, -1);
  assert.ok(a.id !== f.id);
});

test('tab_closed names the domain from the tab map, which lives in storage.session', async () => {
  const h = setup({ tabs: { 7: { id: 7, windowId: 2, url: 'https://news.ycombinator.com/item' } } });
  await h.tracker.onCommitted({ tabId: 7, frameId: 0, url: 'https://news.ycombinator.com/item?id=1' });
  assert.deepEqual(h.session.peek(SESSION_KEYS.tabDomains), { 7: 'news.ycombinator.com' });

  // The service worker restarts: a new tracker and map over the same session storage.
  const tracker2 = new ActivityTracker({
    queue: h.queue,
    tabMap: new TabMap({ storage: h.session }),
    tabs: { get: async () => { throw new Error('gone'); } },
    newId: sequentialIds(1),
    now: () => T0,
  });
  await tracker2.onRemoved(7, { windowId: 2, isWindowClosing: false });
  const closed = h.events().at(-1);
  assert.equal(closed.type, 'tab_closed');
  assert.equal(closed.domain, 'news.ycombinator.com');
  assert.equal(closed.window_id, 2);
  assert.deepEqual(h.session.peek(SESSION_KEYS.tabDomains), {}, 'forgotten after close');
});

test('tab_closed for an unknown tab has domain ""', async () => {
  const h = setup();
  await h.tracker.onRemoved(99, { windowId: 1 });
  assert.equal(h.events()[0].domain, '');
});

test('tab_activated looks up the tab and remembers its domain; a vanished tab gives ""', async () => {
  const h = setup({ tabs: { 3: { id: 3, windowId: 1, url: 'https://Example.ORG/a?b' } } });
  await h.tracker.onActivated({ tabId: 3, windowId: 1 });
  await h.tracker.onActivated({ tabId: 4, windowId: 1 });
  const [a, b] = h.events();
  assert.equal(a.domain, 'example.org');
  assert.equal(b.domain, '');
  assert.equal(await h.tabMap.get(3), 'example.org');
});

test('idle_state reports active, idle, locked; anything else is ignored', async () => {
  const h = setup();
  for (const s of ['idle', 'locked', 'active', 'asleep']) await h.tracker.onIdleStateChanged(s);
  assert.deepEqual(h.events().map((e) => e.state), ['idle', 'locked', 'active']);
});

test('an idle state the browser repeats is recorded once, also across background restarts', async () => {
  const h = setup();
  const make = () => new ActivityTracker({
    queue: h.queue, tabMap: h.tabMap, tabs: { get: async () => null }, newId: sequentialIds(), now: () => T0, session: h.session,
  });
  const first = make();
  await Promise.all([first.onIdleStateChanged('idle'), first.onIdleStateChanged('idle')]);
  // Firefox wakes the suspended event page and hands it "idle" again.
  const woken = make();
  assert.equal(await woken.onIdleStateChanged('idle'), false);
  await woken.onIdleStateChanged('active');
  await woken.onIdleStateChanged('idle');
  assert.deepEqual(h.events().map((e) => e.state), ['idle', 'active', 'idle']);
  assert.equal(h.session.peek(SESSION_KEYS.idleState), 'idle');
});

test('seedTabs records tabs that were open before the background started', async () => {
  const h = setup();
  await h.tabMap.set(1, 'kept.example');
  await h.tracker.seedTabs([{ id: 1, url: 'https://other.example/' }, { id: 2, url: 'https://www.youtube.com/watch?v=x' }]);
  assert.deepEqual(h.session.peek(SESSION_KEYS.tabDomains), { 1: 'kept.example', 2: 'www.youtube.com' });
});

test('every queued event validates and events keep the order they happened in', async () => {
  const h = setup({ tabs: { 1: { id: 1, windowId: 1, url: 'https://a.example/' } } });
  await Promise.all([
    h.tracker.onCommitted({ tabId: 1, frameId: 0, url: 'https://a.example/' }),
    h.tracker.onActivated({ tabId: 1, windowId: 1 }),
    h.tracker.onFocusChanged(1),
    h.tracker.onIdleStateChanged('idle'),
    h.tracker.onRemoved(1, { windowId: 1 }),
  ]);
  const evs = h.events();
  assert.deepEqual(evs.map((e) => e.type), ['tab_navigated', 'tab_activated', 'window_focus', 'idle_state', 'tab_closed']);
  for (const ev of evs) assert.ok(validateEvent(ev).ok, ev.type);
  assert.equal(evs.at(-1).domain, 'a.example');
});

test('tab_navigated carries feed_id when the page is a feed', async () => {
  const h = setup({ tabs: { 12: { id: 12, windowId: 3 } } });
  const tracker = new ActivityTracker({
    queue: h.queue, tabMap: h.tabMap, tabs: { get: async () => ({ windowId: 3 }) }, newId: sequentialIds(), now: () => T0,
    feedOf: (url) => (url.startsWith('https://www.reddit.com/r/') ? 'reddit' : undefined),
  });
  await tracker.onCommitted({ tabId: 12, frameId: 0, url: 'https://www.reddit.com/r/golang/?x' });
  await tracker.onCommitted({ tabId: 12, frameId: 0, url: 'https://www.reddit.com/message/inbox' });
  const [feed, dm] = h.events();
  assert.equal(feed.feed_id, 'reddit');
  assert.ok(validateEvent(feed).ok);
  assert.ok(!('feed_id' in dm));
});
