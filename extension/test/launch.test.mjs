// Enforcement at browser launch (docs/enforcement.md): the gate holds until it
// has decided, every tab is covered at the first start of a browser session,
// and a background that restarts within the session has decided already.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue } from '../src/background/queue.js';
import { DECIDE_MAX_MS, Enforcement } from '../src/background/enforcement.js';
import { LIFT_ID } from '../src/background/rulesync.js';
import { GATE_KEY } from '../src/shared/break-url.js';
import { KEYS } from '../src/shared/storage-keys.js';
import { FakeDnr, FakeTimers, MemoryStorage, sampleState, sequentialIds } from './fakes.mjs';

const BASE = 'chrome-extension://lbcebegdchechefjbefnojockkfhgifo/';
const PROMPT = `${BASE}src/pages/prompt/prompt.html`;
const BREAK = `${BASE}src/pages/break/break.html`;
const T0 = Date.UTC(2026, 10, 23, 15, 0, 0);

function setup({ state = sampleState(), tabs = [], dnr = new FakeDnr() } = {}) {
  const local = new MemoryStorage({ [KEYS.daemonState]: state });
  const session = new MemoryStorage({}, { areaName: 'session' });
  const timers = new FakeTimers();
  timers.now = T0;
  const updated = [];
  const tabMap = new Map(tabs.map((t) => [t.id, { windowId: 1, active: false, ...t }]));
  const enforcement = new Enforcement({
    local, session, dnr, queue: new EventQueue({ storage: local }), promptUrl: PROMPT, breakUrl: BREAK, timers,
    tabs: {
      query: async () => [...tabMap.values()].map((t) => ({ ...t })),
      get: async (id) => ({ ...tabMap.get(id) }),
      update: async (id, { url }) => {
        updated.push([id, url]);
        tabMap.get(id).url = url;
      },
      remove: async () => {},
      sendMessage: async () => ({ ok: true }),
    },
    alarms: { create: async () => {}, clear: async () => {} },
    now: () => timers.now, newId: sequentialIds(),
  });
  const settle = async () => {
    for (let i = 0; i < 6; i++) {
      await enforcement.whenIdle();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { enforcement, local, dnr, timers, updated, tabMap, settle };
}

const breakState = (sites, start, end) => sampleState({
  breaks: [{ key: 'k1', name: 'Evening', start: new Date(start).toISOString(), end: end === null ? null : new Date(end).toISOString(), sites }],
});

test('at launch the gate holds until the background decides; then the lift is written and the gate page is answered', async () => {
  const h = setup({ state: breakState(['x.com'], T0 - 60_000, T0 - 1000) }); // a break that ended while the browser was closed
  await h.enforcement.start();
  await h.settle();
  assert.ok(h.dnr.dynamic.some((r) => r.action.redirect?.regexSubstitution?.startsWith(`${BREAK}?k=${GATE_KEY}&`)), 'the launch gate');
  assert.deepEqual(h.dnr.session, [], 'not decided: no session rules');
  let answer = null;
  h.enforcement.breaks.breakInfo({ tabId: 1, frameId: 0 }, { key: GATE_KEY, url: 'https://x.com/some/page' }).then((r) => { answer = r; });
  await h.settle();
  assert.equal(answer, null, 'the gate page waits for the decision');
  await h.enforcement.decide();
  await h.settle();
  assert.ok(h.dnr.session.some((r) => r.id === LIFT_ID), 'the lift');
  assert.deepEqual(answer, { ok: true, state: 'ended', returnOk: true }, 'the page sends the tab on');
});

test('the background decides by itself DECIDE_MAX_MS after start when the link never settles', async () => {
  const h = setup();
  await h.enforcement.start();
  await h.settle();
  h.timers.advance(DECIDE_MAX_MS - 1);
  await h.settle();
  assert.deepEqual(h.dnr.session, []);
  h.timers.advance(1);
  await h.settle();
  assert.ok(h.dnr.session.some((r) => r.id === LIFT_ID));
});

test('a running break: the gate page shows it; a made-up gate address for an ungated site goes nowhere', async () => {
  const h = setup({ state: breakState(['x.com'], T0 - 60_000, null) });
  await h.enforcement.start();
  await h.enforcement.decide();
  const on = await h.enforcement.breaks.breakInfo({ tabId: 1, frameId: 0 }, { key: GATE_KEY, url: 'https://x.com/home' });
  assert.equal(on.state, 'on');
  assert.equal(on.key, 'k1');
  const other = await h.enforcement.breaks.breakInfo({ tabId: 1, frameId: 0 }, { key: GATE_KEY, url: 'https://evil.example/' });
  assert.deepEqual(other, { ok: true, state: 'ended', returnOk: false });
});

test('first start of a browser session: every tab on a feed is covered at once, every tab on a break site once decided, not only the active one', async () => {
  const h = setup({
    state: breakState(['old.reddit.com'], T0 - 60_000, T0 + 3_600_000),
    tabs: [
      { id: 1, url: 'https://www.reddit.com/', active: false },
      { id: 2, url: 'https://x.com/home', active: true },
      { id: 3, url: 'https://old.reddit.com/r/golang/comments/1/x/' },
      { id: 4, url: 'https://example.org/' },
      { id: 5, url: 'https://www.reddit.com/r/golang/comments/1/x/' },
    ],
  });
  await h.enforcement.start();
  await h.settle();
  assert.deepEqual(h.updated.map(([id]) => id).sort(), [1, 2], 'the cached breaks may be stale: they wait for the decision');
  await h.enforcement.decide();
  await h.settle();
  const to = Object.fromEntries(h.updated.map(([id, url]) => [id, url]));
  assert.deepEqual(Object.keys(to).map(Number).sort(), [1, 2, 3]);
  assert.equal(to[1], `${PROMPT}?f=reddit&n=Reddit&u=${encodeURIComponent('https://www.reddit.com/')}`);
  assert.equal(to[2], `${PROMPT}?f=x&n=X&u=${encodeURIComponent('https://x.com/home')}`);
  assert.ok(to[3].startsWith(`${BREAK}?k=k1&s=1&u=`));
});

test('a background restart within the session has decided already and leaves feed tabs to the prompt flow', async () => {
  const h = setup({ dnr: new FakeDnr({ decided: true }), tabs: [{ id: 1, url: 'https://www.reddit.com/' }] });
  await h.enforcement.start();
  await h.settle();
  assert.deepEqual(h.updated, []);
  const r = await h.enforcement.breaks.breakInfo({ tabId: 1, frameId: 0 }, { key: GATE_KEY, url: 'https://www.reddit.com/r/golang/comments/1/x/' });
  assert.equal(r.state, 'ended', 'answered at once');
});

test('a tab switched to the break page by a stale cache goes back once the break left the schedule (no dead end)', async () => {
  const h = setup({ state: breakState(['x.com'], T0 - 60_000, T0 + 3_600_000), dnr: new FakeDnr({ decided: true }), tabs: [{ id: 7, url: 'https://x.com/after/0' }] });
  await h.enforcement.start();
  await h.settle();
  assert.equal(h.updated[0][0], 7, 'switched');
  // The break was ended early elsewhere: the new state has no breaks at all.
  await h.enforcement.onStorageChanged({ [KEYS.daemonState]: { newValue: sampleState({ breaks: [] }) } }, 'local');
  await h.settle();
  const r = await h.enforcement.breaks.breakInfo({ tabId: 7, frameId: 0 }, { key: 'k1', url: 'https://x.com/after/0' });
  assert.deepEqual(r, { ok: true, state: 'ended', returnOk: true });
  const other = await h.enforcement.breaks.breakInfo({ tabId: 8, frameId: 0 }, { key: 'k1', url: 'https://x.com/after/0' });
  assert.deepEqual(other, { ok: true, state: 'ended', returnOk: false }, 'a page this background did not switch');
});

test('a break-site tab that finishes loading after the decision (restored late, no commit seen) gets the break page; before it, the cached breaks wait', async () => {
  const h = setup({ state: breakState(['old.reddit.com'], T0 - 60_000, T0 + 3_600_000), tabs: [{ id: 3, url: '' }] });
  await h.enforcement.start();
  await h.settle();
  const site = 'https://old.reddit.com/r/golang/comments/1/x/';
  h.tabMap.get(3).url = site;
  await h.enforcement.onTabUpdated(3, { url: site }, { id: 3, url: site });
  await h.settle();
  assert.deepEqual(h.updated, [], 'not decided yet: decide() covers every tab');
  h.tabMap.get(3).url = '';
  await h.enforcement.decide();
  await h.settle();
  assert.deepEqual(h.updated, [], 'the tab was still blank when decide() looked');
  // The browser loads the restored page now; the commit went by unseen.
  h.tabMap.get(3).url = site;
  await h.enforcement.onTabUpdated(3, { status: 'complete' }, { id: 3, url: site, status: 'complete' });
  await h.settle();
  assert.equal(h.updated.length, 1);
  assert.ok(h.updated[0][1].startsWith(`${BREAK}?k=k1&s=1&u=`));
});
