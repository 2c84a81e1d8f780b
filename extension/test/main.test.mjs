// Loads the real background entry against a fake extension API, to check the
// wiring: listeners, the debug hook, pairing through to flushing, ping/pong
// and the daemonAddr reaction.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { validateMessage } from '../src/shared/protocol.js';
import { KEYS } from '../src/shared/storage-keys.js';
import { LIFT_ID } from '../src/background/rulesync.js';
import { FakeDnr, IDENTITY, MemoryStorage, TOKEN, makeFakeWebSocket, portPair, sampleState } from './fakes.mjs';

function event() {
  const listeners = [];
  return { listeners, addListener: (fn) => listeners.push(fn), fire: (...args) => listeners.map((fn) => fn(...args)) };
}

const local = new MemoryStorage({}, { areaName: 'local' });
const session = new MemoryStorage({}, { areaName: 'session' });
const calls = { badge: [], alarms: [], idleInterval: [], platformInfo: 0, tabMessages: [], removed: [] };
const EXT = 'chrome-extension://lbcebegdchechefjbefnojockkfhgifo/';
const dnr = new FakeDnr();
const api = {
  runtime: {
    id: 'lbcebegdchechefjbefnojockkfhgifo',
    getURL: (p) => EXT + p.replace(/^\//, ''),
    getManifest: () => ({ version: '0.1.0' }),
    getPlatformInfo: async () => { calls.platformInfo += 1; return { os: 'linux' }; },
    onStartup: event(),
    onInstalled: event(),
    onMessage: event(),
    onConnect: event(),
  },
  storage: { local, session, onChanged: local.onChanged },
  tabs: {
    get: async (id) => ({ id, windowId: 1, url: 'https://www.youtube.com/watch?v=1' }),
    query: async () => [{ id: 1, windowId: 1, active: true, url: 'https://www.youtube.com/' }],
    sendMessage: async (tabId, msg) => { calls.tabMessages.push([tabId, msg]); return { ok: true }; },
    update: async () => ({}),
    remove: async (tabId) => { calls.removed.push(tabId); },
    onActivated: event(),
    onRemoved: event(),
    onUpdated: event(),
  },
  windows: { onFocusChanged: event(), getLastFocused: async () => ({ id: 1, focused: true }) },
  webNavigation: { onCommitted: event(), onHistoryStateUpdated: event() },
  idle: { onStateChanged: event(), setDetectionInterval: (s) => calls.idleInterval.push(s), queryState: async () => 'active' },
  alarms: {
    onAlarm: event(), get: async () => undefined, create: async (name, info) => calls.alarms.push([name, info]), clear: async () => true,
  },
  declarativeNetRequest: dnr,
  permissions: { contains: async () => true, onAdded: event(), onRemoved: event() },
  action: {
    setBadgeText: async ({ text }) => calls.badge.push(text),
    setBadgeBackgroundColor: async () => {},
  },
};
const WS = makeFakeWebSocket();
// Node 18 has no global crypto (browsers and Node 19+ do).
if (!globalThis.crypto) Object.defineProperty(globalThis, 'crypto', { value: webcrypto, configurable: true });

/** Lets pending promise chains run (no timers involved). */
async function settle(cond, what) {
  for (let i = 0; i < 500; i++) {
    if (await cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`never happened: ${what}`);
}

test('background wiring, from start to flushed events', async () => {
  Object.defineProperty(globalThis, 'chrome', { value: api, configurable: true, writable: true });
  Object.defineProperty(globalThis, 'WebSocket', { value: WS, configurable: true, writable: true });
  const quiet = console.info;
  console.info = () => {};
  try {
    await import('../src/background/main.js');

    for (const ev of [api.webNavigation.onCommitted, api.tabs.onActivated, api.tabs.onRemoved, api.tabs.onUpdated, api.windows.onFocusChanged,
      api.idle.onStateChanged, api.alarms.onAlarm, api.runtime.onStartup, api.runtime.onInstalled,
      api.webNavigation.onHistoryStateUpdated, api.runtime.onMessage, api.runtime.onConnect]) {
      assert.equal(ev.listeners.length, 1, 'one listener, registered at the top level');
    }
    assert.deepEqual(calls.idleInterval, [60]);
    await settle(() => calls.alarms.length === 1, 'alarm created');
    assert.deepEqual(calls.alarms[0], ['mindful-reconnect', { periodInMinutes: 1 }]);

    await settle(() => WS.instances.length === 1, 'socket opened');
    assert.equal(WS.instances[0].url, 'ws://127.0.0.1:17717/ws');

    const dbg = globalThis.mindfulDebug;
    await settle(async () => (await dbg.status()).clientId, 'clientId created');
    const s0 = await dbg.status();
    assert.deepEqual(Object.keys(s0).sort(), ['clientId', 'paired', 'queued', 'status']);
    assert.equal(s0.status, 'connecting');
    assert.equal(s0.paired, false);
    assert.match(s0.clientId, /^[0-9a-f-]{36}$/);

    const ws = WS.instances[0];
    ws.serverOpen();
    await settle(() => ws.sent.length === 1, 'pair_request');
    assert.equal(ws.sent[0].type, 'pair_request');
    assert.equal(ws.sent[0].body.client_id, s0.clientId, 'the stored client id');
    assert.equal(ws.sent[0].body.ext_version, '0.1.0');
    assert.ok(validateMessage(ws.sent[0], 'extension').ok);
    await settle(() => calls.badge.at(-1) === 'PAIR', 'PAIR badge');

    ws.serverSend({ v: 1, type: 'paired', id: 'd-2', re: ws.sent[0].id, body: { client_id: IDENTITY.client_id, token: TOKEN } });
    await settle(() => ws.sent.length === 2, 'hello');
    const s1 = await dbg.status();
    assert.equal(s1.paired, true);
    assert.ok(!JSON.stringify(s1).includes(TOKEN), 'the debug hook never shows the token');

    // activity before welcome is queued, not sent
    api.webNavigation.onCommitted.fire({ tabId: 1, frameId: 0, url: 'https://www.youtube.com/watch?v=1' });
    // (the first check of site access is queued too: an `access` event)
    await settle(async () => (await dbg.status()).queued === 2, 'events queued');
    assert.equal(ws.sentOf('events').length, 0);

    ws.serverSend({ v: 1, type: 'welcome', id: 'd-3', re: ws.sent[1].id, body: { max_batch: 200, state: sampleState() } });
    await settle(() => ws.sentOf('events').length === 1, 'flush after welcome');
    assert.equal((await dbg.status()).status, 'connected');
    assert.equal(calls.badge.at(-1), '');
    const batch = ws.sentOf('events')[0];
    const nav = batch.body.events.find((e) => e.type === 'tab_navigated');
    assert.equal(nav.url, 'https://www.youtube.com/watch', 'no query string');
    assert.deepEqual(batch.body.events.filter((e) => e.type === 'access').map((e) => [e.state, e.missing_hosts]), [['full', []]]);
    ws.serverSend({ v: 1, type: 'ack', id: 'd-4', re: batch.id, body: { ids: batch.body.events.map((e) => e.id), rejected: [] } });
    await settle(async () => (await dbg.status()).queued === 0, 'acked');

    ws.serverSend({ v: 1, type: 'ping', id: 'd-17', body: {} });
    await settle(() => ws.last.type === 'pong', 'pong');
    assert.equal(ws.last.re, 'd-17');
    assert.equal(calls.platformInfo, 1);

    // the cached state became request rules: reddit's two paths and x's one, redirecting to the prompt page
    // (the decided layer: session rules, above the lift; rulesync.js)
    const decided = async () => (await dbg.sessionRules()).filter((r) => r.id !== LIFT_ID);
    await settle(async () => (await decided()).length === 3, 'rules from welcome.state');
    const rules = await decided();
    assert.deepEqual(rules.map((r) => r.id), [1_000_000, 1_000_001, 1_002_000]);
    assert.equal(rules[0].action.redirect.regexSubstitution, `${EXT}src/pages/prompt/prompt.html?f=reddit&n=Reddit&u=\\0`);
    assert.deepEqual(await dbg.grants(), []);

    // a content script may read the catalog; it may not answer a prompt
    const contentSender = { id: api.runtime.id, url: 'https://www.reddit.com/', tab: { id: 5, windowId: 1 }, frameId: 0 };
    const reply = await new Promise((resolve) => {
      assert.equal(api.runtime.onMessage.fire({ type: 'content_state' }, contentSender, resolve)[0], true);
    });
    assert.deepEqual(reply.catalog.map((f) => f.id), ['reddit', 'x']);
    assert.equal(api.runtime.onMessage.fire({ type: 'prompt_answer', answer: 'need' }, contentSender, () => {})[0], false);
    assert.equal(api.runtime.onMessage.fire({ type: 'steal_token' }, contentSender, () => {})[0], false);

    // the prompt page (a trusted extension page) answers over its port: a grant and allow rules
    const pageSender = { id: api.runtime.id, url: `${EXT}src/pages/prompt/prompt.html?f=reddit&u=https://www.reddit.com/`, tab: { id: 5, windowId: 1 }, frameId: 0 };
    const { page, bg } = portPair(pageSender);
    api.runtime.onConnect.fire(bg);
    page.postMessage({ rid: 1, type: 'prompt_open', feedId: 'reddit', url: 'https://www.reddit.com/', mode: 'navigation' });
    await settle(() => page.received.length === 1, 'prompt_open answered');
    assert.equal(page.received[0].result.pauseMs, 3000);
    assert.equal(page.received[0].result.name, 'Reddit');
    page.postMessage({ rid: 2, type: 'prompt_answer', answer: 'need', purpose: 'Work', timeboxMinutes: 5 });
    await settle(() => page.received.length === 2, 'prompt_answer answered');
    assert.deepEqual(page.received[1].result, { ok: false, error: 'pause' }, 'not before the breathing pause ends');

    // the break page (a trusted extension page) asks what runs: no break in this state
    const breakSender = { id: api.runtime.id, url: `${EXT}src/pages/break/break.html?k=adhoc%3A1&u=https://www.reddit.com/`, tab: { id: 6, windowId: 1 }, frameId: 0 };
    const info = await new Promise((resolve) => {
      assert.equal(api.runtime.onMessage.fire({ type: 'break_info', key: 'adhoc:1', url: 'https://www.reddit.com/' }, breakSender, resolve)[0], true);
    });
    assert.deepEqual(info, { ok: true, state: 'ended', returnOk: false });
    assert.equal(api.runtime.onMessage.fire({ type: 'break_stop_request' }, contentSender, () => {})[0], false, 'content scripts cannot end breaks');
    assert.deepEqual(await dbg.breaks(), { active: [], next: null, keepalive: false });

    // the options page writes a new address: reconnect at once
    await local.set({ [KEYS.daemonAddr]: 'localhost:4567' });
    await settle(() => WS.instances.length === 2, 'reconnected');
    assert.equal(WS.instances[1].url, 'ws://localhost:4567/ws');
    assert.equal(ws.closedByClient?.code, 1000);
  } finally {
    console.info = quiet;
  }
});
