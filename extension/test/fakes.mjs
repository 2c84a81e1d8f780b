// Test doubles shared by the test files (this file holds no tests).

import { LIFT_ID } from '../src/background/rulesync.js';
import { MemoryStorage } from '../src/shared/memory-storage.js';

export { MemoryStorage };

/** A fresh fake WebSocket class with its own list of instances. */
export function makeFakeWebSocket() {
  class FakeWebSocket {
    static instances = [];
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;

    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.closedByClient = null;
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      FakeWebSocket.instances.push(this);
    }

    send(text) {
      if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
      if (typeof text !== 'string') throw new TypeError('the extension sends text frames');
      this.sent.push(JSON.parse(text));
    }

    close(code = 1000, reason = '') {
      if (this.readyState >= 2) return;
      this.readyState = 2;
      this.closedByClient = { code, reason };
    }

    // ---- the daemon's side
    serverOpen() {
      this.readyState = 1;
      this.onopen?.({ type: 'open' });
    }

    serverSend(msg) {
      this.onmessage?.({ type: 'message', data: typeof msg === 'string' ? msg : JSON.stringify(msg) });
    }

    serverClose(code, reason = '') {
      this.readyState = 3;
      this.onclose?.({ type: 'close', code, reason, wasClean: true });
    }

    /** A connect that fails: error, then close 1006, never open. */
    fail() {
      this.readyState = 3;
      this.onerror?.({ type: 'error' });
      this.onclose?.({ type: 'close', code: 1006, reason: '', wasClean: false });
    }

    /** The messages sent, of one type. */
    sentOf(type) {
      return this.sent.filter((m) => m.type === type);
    }

    get last() {
      return this.sent[this.sent.length - 1];
    }
  }
  return FakeWebSocket;
}

/** Fake timers with a fake clock: nothing runs until advance(). */
export class FakeTimers {
  now = 0;
  #seq = 0;
  #pending = new Map();

  setTimeout = (fn, ms = 0) => {
    const id = ++this.#seq;
    this.#pending.set(id, { id, at: this.now + Math.max(0, ms), ms, fn });
    return id;
  };

  clearTimeout = (id) => {
    this.#pending.delete(id);
  };

  /** Pending timers, earliest first. */
  get pending() {
    return [...this.#pending.values()].sort((a, b) => a.at - b.at || a.id - b.id);
  }

  /** Moves the clock forward, running every timer that falls due, in order. */
  advance(ms) {
    const target = this.now + ms;
    for (;;) {
      const next = this.pending[0];
      if (!next || next.at > target) break;
      this.#pending.delete(next.id);
      this.now = next.at;
      next.fn();
    }
    this.now = target;
  }
}

/** A storage area whose every call yields to the event loop a few times, so racing callers interleave. */
export class SlowStorage {
  constructor(inner = new MemoryStorage()) {
    this.inner = inner;
  }

  async #yield() {
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  }

  async get(keys) {
    await this.#yield();
    return this.inner.get(keys);
  }

  async set(items) {
    await this.#yield();
    return this.inner.set(items);
  }

  async remove(keys) {
    await this.#yield();
    return this.inner.remove(keys);
  }
}

/** Deterministic UUID-shaped ids: 00000000-0000-4000-8000-000000000001, ... */
export function sequentialIds(prefix = 0) {
  let n = 0;
  return () => {
    n += 1;
    const tail = (prefix * 1_000_000 + n).toString(16).padStart(12, '0');
    return `00000000-0000-4000-8000-${tail}`;
  };
}

/** A valid event for queue tests. */
export function sampleEvent(i, { ts = new Date(Date.UTC(2026, 10, 23, 15, 0, 0) + i).toISOString() } = {}) {
  return {
    id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    ts,
    type: 'tab_activated',
    tab_id: i,
    window_id: 1,
    domain: 'example.org',
  };
}

export const IDENTITY = Object.freeze({
  client_id: '6f1c1f0e-93a4-4c4e-9a57-1c0f3a1d2b7e',
  browser: 'chromium',
  browser_version: '156.0.8078.73',
  ext_version: '0.1.0',
});

export const TOKEN = '9b7e4c0d1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4';

/**
 * A fake chrome.declarativeNetRequest: dynamic and session rules. It rejects
 * duplicate ids like the browser, and can refuse regexes listed in
 * `unsupported`. `decided: true` starts it with the lift in the session rules
 * (background/rulesync.js), as after a background restart within a browser
 * session. `rules` is the decided layer without the lift: what the background
 * enforces once it has decided.
 */
export class FakeDnr {
  dynamic = [];
  session = [];
  updates = 0;
  unsupported = new Set();

  constructor({ decided = false } = {}) {
    if (decided) this.session = [{ id: LIFT_ID, priority: 100, action: { type: 'allow' }, condition: { requestDomains: ['x.test'], resourceTypes: ['main_frame'] } }];
  }

  get rules() {
    return this.session.filter((r) => r.id !== LIFT_ID);
  }

  set rules(list) {
    this.session = [...this.session.filter((r) => r.id === LIFT_ID), ...list];
  }

  #update(list, { removeRuleIds = [], addRules = [] }) {
    const kept = list.filter((r) => !removeRuleIds.includes(r.id));
    const ids = new Set(kept.map((r) => r.id));
    for (const r of addRules) {
      if (!Number.isInteger(r.id) || r.id < 1) throw new Error(`Rule with id ${r.id}: invalid id`);
      if (ids.has(r.id)) throw new Error(`Rule with id ${r.id} does not have a unique ID.`);
      if (this.unsupported.has(r.condition?.regexFilter)) throw new Error(`Rule with id ${r.id} specified a more complex regex than allowed`);
      ids.add(r.id);
    }
    this.updates += 1;
    return [...kept, ...structuredClone(addRules)];
  }

  async getDynamicRules() {
    return structuredClone(this.dynamic);
  }

  async updateDynamicRules(u) {
    this.dynamic = this.#update(this.dynamic, u);
  }

  async getSessionRules() {
    return structuredClone(this.session);
  }

  async updateSessionRules(u) {
    this.session = this.#update(this.session, u);
  }

  async isRegexSupported({ regex }) {
    return this.unsupported.has(regex) ? { isSupported: false, reason: 'memoryLimitExceeded' } : { isSupported: true };
  }
}

/** A fake browser event: addListener and fire. */
export function fakeEvent() {
  const listeners = [];
  return { listeners, addListener: (fn) => listeners.push(fn), fire: (...args) => listeners.map((fn) => fn(...args)) };
}

/** A fake runtime Port pair: `page` is the prompt page's end, `bg` the background's. */
export function portPair(sender, name = 'prompt') {
  const toBg = fakeEvent();
  const toPage = fakeEvent();
  const bgGone = fakeEvent();
  const pageGone = fakeEvent();
  const page = {
    name,
    received: [],
    postMessage: (m) => toBg.fire(structuredClone(m)),
    disconnect: () => bgGone.fire(),
    onMessage: toPage,
    onDisconnect: pageGone,
  };
  toPage.addListener((m) => page.received.push(m));
  const bg = {
    name,
    sender,
    postMessage: (m) => toPage.fire(structuredClone(m)),
    disconnect: () => pageGone.fire(),
    onMessage: toBg,
    onDisconnect: bgGone,
  };
  return { page, bg };
}

/** A tiny reddit-only daemon state, as welcome.state / state carry it. */
export function sampleState(patch = {}) {
  return {
    feeds: [
      { id: 'reddit', name: 'Reddit', hosts: ['reddit.com', 'www.reddit.com'], paths: ['/', '/r/*'], enabled: true },
      { id: 'youtube', name: 'YouTube', hosts: ['www.youtube.com'], paths: ['/', '/shorts/**'], enabled: false },
      { id: 'x', name: 'X', hosts: ['x.com'], paths: ['/home'], enabled: true },
    ],
    prompt: { pause_seconds: 3, pause_step_seconds: 1, pause_max_seconds: 10, default_timebox_minutes: 15, timeboxes_minutes: [5, 15, 30] },
    prompts_paused_until: null,
    habit_opens_today: 0,
    day_start: '2026-11-23T04:00:00+01:00',
    ...patch,
  };
}
