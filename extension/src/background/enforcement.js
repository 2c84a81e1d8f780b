// Enforcement: the two parts that enforce, on one serial chain over one
// cached state, wired to injected browser APIs.
//
//   storage.local daemonState ─► state-cache.js ─┬─► prompts: prompt-guard.js
//                                                │     (prompts, grants, feed time)
//                                                └─► breaks: break-enforcer.js
//                                                      (break rules, tabs, break page)
//   both parts' declarative input ─► rulesync.js ─► declarativeNetRequest
//
// This module owns what the two share: the serial chain (every handler of
// either part runs on it, after the stored data was loaded, and first lets
// the break enforcer catch up with the clock), the cached state, the event
// queue, the launch decision (when the gate is lifted) and the browser
// events both parts need (start, a new state, a commit, alarms). The router
// and main.js reach the parts directly for the rest: `prompts` and `breaks`.

import { Mutex, whenSettled } from '../shared/mutex.js';
import { validateEvent } from '../shared/protocol.js';
import { KEYS } from '../shared/storage-keys.js';
import { BREAK_ALARM, BREAK_SOON_ALARM, BreakEnforcer } from './break-enforcer.js';
import { updatedTab } from './breaks.js';
import { GRANT_ALARM, PAUSE_ALARM, PromptGuard } from './prompt-guard.js';
import { RuleSync } from './rulesync.js';
import { StateCache } from './state-cache.js';

/**
 * At launch the gate (rulesync.js) holds until the background has decided:
 * when the link to the daemon has settled (connected with a fresh state, or
 * known to be down or unpaired), or at the latest this long after start.
 */
export const DECIDE_MAX_MS = 5000;

export class Enforcement {
  #local;
  #alarms;
  #queue;
  #onQueued;
  #timers;
  #now;
  #log;
  #serial = new Mutex();

  #cache = new StateCache();
  #prompts;
  #breaks;
  #rules;
  #decideMs;
  /** The gate is lifted: this browser session's rules follow the state (rulesync.js). */
  #decided = false;
  #onDecided = [];
  #started = null;

  /**
   * @param {{
   *   local: {get: Function, set: Function}, session: {get: Function, set: Function},
   *   dnr: {getDynamicRules: Function, updateDynamicRules: Function, isRegexSupported?: Function},
   *   tabs: {query: Function, get: Function, update: Function, remove: Function, sendMessage: Function},
   *   windows?: {getLastFocused: Function}, idle?: {queryState: Function},
   *   alarms: {create: Function, clear: Function},
   *   queue: import('./queue.js').EventQueue, onQueued?: () => void,
   *   promptUrl: string, breakUrl?: string,
   *   keepalive?: () => Promise<unknown>,   one cheap extension API call (keeps the worker awake)
   *   request?: (type: string, body: object) => Promise<{body: object}>,   a request to the daemon (connection.js)
   *   notifyPages?: (msg: object) => Promise<unknown>,   a message to our open extension pages
   *   timers?: {setTimeout: Function, clearTimeout: Function}, now?: () => number, newId?: () => string,
   *   log?: (msg: string, err?: unknown) => void,
   * }} deps
   */
  constructor({
    local, session, dnr, tabs, windows = null, idle = null, alarms, queue, onQueued = () => {}, promptUrl,
    breakUrl = '', keepalive = async () => {}, request = null, notifyPages = async () => {},
    timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t) },
    now = () => Date.now(), newId = () => crypto.randomUUID(), log = () => {}, decideMs = DECIDE_MAX_MS,
  }) {
    this.#local = local;
    this.#alarms = alarms;
    this.#queue = queue;
    this.#onQueued = onQueued;
    this.#timers = timers;
    this.#now = now;
    this.#log = log;
    this.#rules = new RuleSync({ dnr, log });
    this.#decideMs = decideMs;
    const shared = {
      cache: this.#cache,
      tabs,
      alarm: { at: (name, when) => this.#alarmAt(name, when), clear: (name) => this.#clearAlarm(name) },
      timers,
      now,
      newId,
      log,
      promptUrl,
      enqueue: (ev) => this.#enqueue(ev),
      run: (fn) => this.#run(fn),
      syncRules: () => this.#syncRules(),
      whenDecided: () => this.#whenDecided(),
    };
    this.#prompts = new PromptGuard({ ...shared, local, session, windows, idle });
    this.#breaks = new BreakEnforcer({ ...shared, keepalive, request, notifyPages, breakUrl });
  }

  // ------------------------------------------------------------ plumbing

  #run(fn) {
    this.start();
    return this.#serial.run(async () => {
      try {
        await this.#breaks.catchUp();
      } catch (err) {
        this.#log('break catch-up failed', err);
      }
      try {
        return await fn();
      } catch (err) {
        this.#log('enforcement handler failed', err);
        return { ok: false, error: 'internal' };
      }
    });
  }

  /** Resolves once everything queued so far has run (tests). */
  whenIdle() {
    return whenSettled(this.#serial, this.#queue);
  }

  /**
   * Loads the cached state, grants and pending prompts, learns where the
   * tabs are, and rebuilds the request rules (they are lost when the browser
   * was killed). Safe to call more than once.
   */
  start() {
    this.#started ??= this.#serial.run(async () => {
      try {
        const got = await this.#local.get([KEYS.daemonState, ...PromptGuard.LOCAL_KEYS]);
        this.#cache.set(got[KEYS.daemonState]);
        await this.#prompts.load(got);
        // A background that restarts within a browser session decided already.
        if (await this.#rules.decidedBefore()) this.#setDecided();
        else this.#timers.setTimeout(() => this.decide(), this.#decideMs);
        await this.#prompts.seedTabs();
        await this.#prompts.expire();
        await this.#syncRules();
        this.#prompts.schedule();
        // The browser may have started offline, with tabs restored on a
        // blocked site, or (at launch, before any rule held) on a feed:
        // cover them. A background that restarts within a browser session
        // only looks for break sites. At launch the breaks wait for the
        // decision (the cache may be stale: a break may have ended early
        // while the browser was closed); the gate holds their sites.
        if (this.#decided) await this.#breaks.followTabs();
        else await this.#coverTabs({ breaks: false });
        this.#breaks.schedule();
      } catch (err) {
        this.#log('enforcement start failed', err);
      }
    });
    return this.#started;
  }

  #enqueue(ev) {
    const r = validateEvent(ev);
    if (!r.ok) {
      this.#log(`event not queued: ${r.message}`);
      return Promise.resolve(false);
    }
    return this.#queue.append(ev).then((added) => {
      if (added) this.#onQueued();
      return added;
    });
  }

  /** The feed a URL belongs to, or undefined (sync; used for tab_navigated too). */
  feedOf(url) {
    return this.#cache.feedOf(url);
  }

  // ---------------------------------------------------------------- rules

  /** Hands the parts' declarative input to the rule sync (rulesync.js), which owns the request rules. */
  async #syncRules() {
    const now = this.#now();
    const ok = await this.#rules.apply({
      ...this.#prompts.ruleInput(now),
      ...this.#breaks.ruleInput(now),
      decided: this.#decided,
    });
    if (!ok) this.#breaks.rulesFailed(); // the next event tries again
  }

  // ------------------------------------------------------------- launch

  #setDecided() {
    this.#decided = true;
    for (const resolve of this.#onDecided.splice(0)) resolve();
  }

  /** Resolves once the gate is lifted (at the latest DECIDE_MAX_MS after start). */
  #whenDecided() {
    this.start();
    if (this.#decided) return Promise.resolve();
    return new Promise((resolve) => this.#onDecided.push(resolve));
  }

  /**
   * The link to the daemon settled (connected, down, unpaired), or the
   * deadline passed: lift the gate. The freshest cached state (a welcome
   * stores it before the link says "connected") decides what still holds.
   */
  decide() {
    return this.#run(async () => {
      if (this.#decided) return;
      try {
        const got = await this.#local.get(KEYS.daemonState);
        if (got && KEYS.daemonState in got) this.#cache.set(got[KEYS.daemonState]);
      } catch (err) {
        this.#log('reading the state to decide', err);
      }
      this.#decided = true;
      await this.#syncRules();
      this.#setDecided();
      await this.#coverTabs();
      this.#prompts.schedule();
      this.#breaks.schedule();
    });
  }

  /**
   * Every tab, not only the active one: a break site during a break gets
   * the break page, a feed without a grant (prompts not paused, no prompt
   * up for it) the prompt page. Nothing that loaded before the background took
   * over stays as it is.
   */
  async #coverTabs({ breaks = true } = {}) {
    if (breaks) await this.#breaks.followTabs();
    await this.#prompts.coverTabs((url) => this.#breaks.covers(url));
  }

  #alarmAt(name, when) {
    Promise.resolve()
      .then(() => this.#alarms.create(name, { when }))
      .catch((err) => this.#log(`alarm ${name}`, err));
  }

  #clearAlarm(name) {
    Promise.resolve()
      .then(() => this.#alarms.clear(name))
      .catch(() => {});
  }

  // ------------------------------------------------------- public handlers

  /** storage.onChanged: a new daemonState (welcome or state) rebuilds everything. */
  onStorageChanged(changes, area) {
    if (area !== 'local' || !changes || !(KEYS.daemonState in changes)) return Promise.resolve();
    const raw = changes[KEYS.daemonState].newValue;
    return this.#run(async () => {
      this.#cache.set(raw);
      await this.#prompts.stateChanged();
      await this.#syncRules();
      await this.#prompts.broadcast();
      this.#prompts.schedule();
      await this.#breaks.followTabs();
      this.#breaks.schedule();
    });
  }

  /** Alarms: a time box or a prompt pause ended, or a break starts or ends. */
  onAlarm(alarm) {
    if (alarm?.name === BREAK_ALARM || alarm?.name === BREAK_SOON_ALARM) return this.#breaks.onWake();
    if (alarm?.name !== GRANT_ALARM && alarm?.name !== PAUSE_ALARM) return Promise.resolve();
    return this.#prompts.onTimer();
  }

  /** webNavigation.onCommitted */
  onCommitted(details) {
    if (!details || details.frameId !== 0 || !(details.tabId >= 0)) return Promise.resolve();
    return this.#run(async () => {
      this.#prompts.committed(details);
      await this.#breaks.committed(details);
      await this.#prompts.afterCommit(details);
    });
  }

  /**
   * tabs.onUpdated: once decided, a tab that loaded a break site during a
   * break goes to the break page (break-enforcer.js tabUpdated). Before the
   * decision the cached breaks wait (decide() covers every tab).
   */
  onTabUpdated(tabId, change, tab) {
    if (!this.#decided || !updatedTab(tabId, change, tab)) return Promise.resolve();
    return this.#run(() => this.#breaks.tabUpdated(tabId, change, tab));
  }

  // ---------------------------------------------------------------- parts

  /** The prompt guard (prompt-guard.js): its handlers run on this serial chain. */
  get prompts() {
    return this.#prompts;
  }

  /** The break enforcer (break-enforcer.js): its handlers run on this serial chain. */
  get breaks() {
    return this.#breaks;
  }
}
