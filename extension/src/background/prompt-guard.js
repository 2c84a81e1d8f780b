// The prompt guard: everything between "a tab heads for a feed" and "the
// answer is recorded", a thin shell over its pure cores: prompts.js (the
// pending prompt per tab, the answers), grants.js (time boxes, feed time)
// and presence.js (which feed is in front of the user).
//
//   prompt page ──port "prompt"──► prompts.js (pending per tab) ─► `prompt` event
//                                   └─ need / continue ─► grants.js ─► allow rules
//   cached state ─► content catalog, grants, pause ─► content scripts (overlay.js)
//   tabs, windows, idle ─► presence.js ─► grants.js ─► `feed_time` events
//   alarms / timers ─► time box over ─► feed_time, rules, "done?" prompt
//
// Its request rules are declarative input to the rule sync (ruleInput;
// rulesync.js writes them). Stored: storage.local `grants` (survive a
// browser restart) and `habitLog`; storage.session `prompts` (pending
// prompts by tab). Its handlers run on enforcement.js's serial chain
// (`run`); its other methods are called from inside that chain.

import { hostsOf } from '../shared/feeds.js';
import { habitOpensToday, pauseSeconds, promptsPaused } from '../shared/daemon-state.js';
import { eventSeconds, feedTimeEvent, pageInfo, stamp } from '../shared/protocol.js';
import { promptPageUrl } from '../shared/prompt-url.js';
import { KEYS, SESSION_KEYS } from '../shared/storage-keys.js';
import { GrantBook, newGrant } from './grants.js';
import { TabPresence } from './presence.js';
import { PromptBook } from './prompts.js';

export const GRANT_ALARM = 'mindful-grant-end';
export const PAUSE_ALARM = 'mindful-prompts-resume';
export const PROMPT_PATH = 'src/pages/prompt/prompt.html';
/** How long a prompt page may be gone (reload, re-attached overlay) before it counts as left. */
export const PORT_GRACE_MS = 1500;
/** An overlay whose prompt page never opened by then is replaced by the prompt page itself. */
export const OVERLAY_FALLBACK_MS = 5000;
const HABIT_LOG_CAP = 500;

export class PromptGuard {
  /** The storage.local keys load() takes (read with the state, in one call). */
  static LOCAL_KEYS = Object.freeze([KEYS.grants, KEYS.habitLog]);

  #cache;
  #local;
  #session;
  #tabs;
  #windows;
  #idle;
  #alarm;
  #timers;
  #now;
  #newId;
  #log;
  #promptUrl;
  #enqueue;
  #run;
  #syncRules;
  #whenDecided;

  #grants = new GrantBook();
  #prompts;
  #habitLog = [];
  /** tabId → port of the prompt page shown in that tab */
  #ports = new Map();
  #graceTimers = new Map();
  #fallbackTimers = new Map();
  #tabPresence = new TabPresence();
  #grantTimer = null;
  #pauseTimer = null;

  /**
   * @param {{
   *   cache: import('./state-cache.js').StateCache,
   *   local: {get: Function, set: Function}, session: {get: Function, set: Function},
   *   tabs: {query: Function, get: Function, update: Function, remove: Function, sendMessage: Function},
   *   windows: {getLastFocused: Function} | null, idle: {queryState: Function} | null,
   *   alarm: {at: (name: string, when: number) => void, clear: (name: string) => void},
   *   timers: {setTimeout: Function, clearTimeout: Function}, now: () => number, newId: () => string,
   *   log: (msg: string, err?: unknown) => void,
   *   promptUrl: string,
   *   enqueue: (ev: object) => Promise<boolean>,
   *   run: (fn: Function) => Promise<unknown>,   enforcement.js's serial chain
   *   syncRules: () => Promise<void>, whenDecided: () => Promise<void>,
   * }} deps
   */
  constructor({ cache, local, session, tabs, windows, idle, alarm, timers, now, newId, log, promptUrl, enqueue, run, syncRules, whenDecided }) {
    this.#cache = cache;
    this.#local = local;
    this.#session = session;
    this.#tabs = tabs;
    this.#windows = windows;
    this.#idle = idle;
    this.#alarm = alarm;
    this.#timers = timers;
    this.#now = now;
    this.#newId = newId;
    this.#log = log;
    this.#promptUrl = promptUrl;
    this.#enqueue = enqueue;
    this.#run = run;
    this.#syncRules = syncRules;
    this.#whenDecided = whenDecided;
    this.#prompts = new PromptBook({ newId });
  }

  /** Takes the stored grants and habit log (`got`: storage.local), then the pending prompts. */
  async load(got) {
    this.#grants = GrantBook.from(got[KEYS.grants]);
    this.#habitLog = Array.isArray(got[KEYS.habitLog]) ? got[KEYS.habitLog].filter((t) => typeof t === 'number') : [];
    const ses = await this.#session.get(SESSION_KEYS.prompts);
    this.#prompts = PromptBook.from(ses[SESSION_KEYS.prompts], { newId: this.#newId });
  }

  /** A new state from the daemon: its habit_opens_today now counts the answers it has. */
  async stateChanged() {
    this.#habitLog = [];
    await this.#local.set({ [KEYS.habitLog]: [] });
  }

  /** The prompt guard's part of the rule sync's input. */
  ruleInput(now) {
    return {
      feeds: this.#cache.state.feeds,
      grants: this.#grants.summary(now),
      pausedUntil: this.#cache.state.pausedUntil,
      now,
      promptUrl: this.#promptUrl,
    };
  }

  /**
   * Every tab, not only the active one: a feed without a grant (prompts not
   * paused, no prompt up for it, `skip(url)` false) gets the prompt page.
   */
  async coverTabs(skip) {
    if (promptsPaused(this.#cache.state, this.#now())) return;
    let all = [];
    try {
      all = (await this.#tabs.query({})) ?? [];
    } catch {
      return;
    }
    for (const t of all) {
      if (!(t?.id >= 0)) continue;
      const url = typeof t.pendingUrl === 'string' && t.pendingUrl !== '' ? t.pendingUrl : t.url;
      const feedId = this.#cache.feedOf(url);
      if (!feedId || this.#grants.grantFor(feedId, this.#now()) || this.#prompts.get(t.id)) continue;
      if (skip(url)) continue; // the break page has it
      this.#log(`tab ${t.id} shows a feed without an answer; showing the prompt`);
      await this.#tabs.update(t.id, { url: promptPageUrl(this.#promptUrl, { feedId, name: this.#cache.feedName(feedId), url }) }).catch(() => {});
    }
  }

  /** webNavigation.onCommitted, before the break enforcer: the tab's new document and feed. */
  committed(details) {
    const tabId = details.tabId;
    // A new document: an overlay that was waiting for its prompt page is gone with the old one.
    const fb = this.#fallbackTimers.get(tabId);
    if (fb !== undefined) {
      this.#timers.clearTimeout(fb);
      this.#fallbackTimers.delete(tabId);
    }
    this.#tabPresence.setFeed(tabId, this.#cache.feedOf(details.url));
  }

  /** webNavigation.onCommitted, after the break enforcer: a prompt left behind, presence. */
  async afterCommit(details) {
    const tabId = details.tabId;
    const p = this.#prompts.get(tabId);
    const at = typeof details.timeStamp === 'number' ? details.timeStamp : this.#now();
    // The tab went somewhere else while a prompt was up: the prompt page or
    // the page under the overlay is gone.
    if (p && !this.#isPromptPage(details.url) && at >= p.shownAt) await this.#abandon(tabId);
    await this.#presence();
  }

  async seedTabs() {
    let all = [];
    try {
      all = (await this.#tabs.query({})) ?? [];
    } catch (err) {
      this.#log('tabs.query', err);
    }
    for (const t of all) {
      if (!(t?.id >= 0)) continue;
      this.#tabPresence.setFeed(t.id, this.#cache.feedOf(t.url || t.pendingUrl));
      if (t.active && Number.isInteger(t.windowId)) this.#tabPresence.activate(t.windowId, t.id);
    }
    try {
      // Assume the last focused window has the focus until told otherwise.
      const w = await this.#windows?.getLastFocused?.();
      if (Number.isInteger(w?.id)) this.#tabPresence.focus(w.id);
    } catch {
      // no window
    }
    try {
      const s = await this.#idle?.queryState?.(60);
      this.#tabPresence.idle(s);
    } catch {
      // keep "active"
    }
    this.#presence();
  }

  #feedTimes(list) {
    for (const ft of list) {
      this.#enqueue(feedTimeEvent(stamp({ newId: this.#newId, now: this.#now }), {
        promptId: ft.promptId, feedId: ft.feedId, seconds: eventSeconds(ft.ms),
      }));
    }
  }

  #saveGrants() {
    return this.#local.set({ [KEYS.grants]: this.#grants.toJSON() });
  }

  #savePrompts() {
    return this.#session.set({ [SESSION_KEYS.prompts]: this.#prompts.toJSON() });
  }

  #sendToTab(tabId, msg) {
    try {
      return Promise.resolve(this.#tabs.sendMessage(tabId, msg, { frameId: 0 }));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #isPromptPage(url) {
    return typeof url === 'string' && url.startsWith(this.#promptUrl);
  }

  /** Tells the content scripts of every tab on a feed host the new catalog, grants and pause. */
  async broadcast() {
    const hosts = new Set(hostsOf(this.#cache.catalog));
    let all = [];
    try {
      all = (await this.#tabs.query({})) ?? [];
    } catch {
      return;
    }
    const msg = { type: 'mindful_state', state: this.#contentStateNow() };
    for (const t of all) {
      let host = '';
      try {
        host = new URL(t.url).hostname.toLowerCase();
      } catch {
        continue;
      }
      if (hosts.has(host)) this.#sendToTab(t.id, msg).catch(() => {});
    }
  }

  #contentStateNow() {
    const now = this.#now();
    return { catalog: this.#cache.contentCatalog, grants: this.#grants.summary(now), pausedUntil: this.#cache.state.pausedUntil };
  }

  schedule() {
    const now = this.#now();
    const end = this.#grants.nextEnd();
    if (this.#grantTimer !== null) this.#timers.clearTimeout(this.#grantTimer);
    this.#grantTimer = null;
    if (end !== null) {
      this.#grantTimer = this.#timers.setTimeout(() => this.onTimer(), Math.max(0, end - now));
      this.#alarm.at(GRANT_ALARM, end);
    } else {
      this.#alarm.clear(GRANT_ALARM);
    }
    if (this.#pauseTimer !== null) this.#timers.clearTimeout(this.#pauseTimer);
    this.#pauseTimer = null;
    const until = this.#cache.state.pausedUntil;
    if (until !== null && until > now) {
      this.#pauseTimer = this.#timers.setTimeout(() => this.onTimer(), until - now);
      this.#alarm.at(PAUSE_ALARM, until);
    } else {
      this.#alarm.clear(PAUSE_ALARM);
    }
  }

  /** Ends the grants whose time box is over: feed_time, rules, "done?" on tabs still on the feed. */
  async expire() {
    const now = this.#now();
    const { expired, feedTimes } = this.#grants.expire(now);
    this.#feedTimes(feedTimes);
    if (expired.length === 0) return;
    await this.#saveGrants();
    await this.#syncRules();
    await this.broadcast();
    for (const g of expired) {
      for (const tabId of this.#tabPresence.tabsOn(g.feedId)) await this.#showDone(tabId, g);
    }
  }

  async #showDone(tabId, g) {
    try {
      await this.#sendToTab(tabId, { type: 'show_done', feedId: g.feedId, promptId: g.promptId });
      return;
    } catch {
      // no content script there (a host added by the user): show the page itself
    }
    try {
      const tab = await this.#tabs.get(tabId);
      if (!tab?.url) return;
      const url = promptPageUrl(this.#promptUrl, { feedId: g.feedId, name: this.#cache.feedName(g.feedId), url: tab.url, mode: 'done', promptId: g.promptId });
      await this.#tabs.update(tabId, { url });
    } catch (err) {
      this.#log('done prompt', err);
    }
  }

  /** Presence changed (tab, window, idle, navigation): count feed time. */
  #presence() {
    const now = this.#now();
    const ended = this.#grants.setPresence({ activeFeed: this.#tabPresence.activeFeed, feedsOnTabs: this.#tabPresence.feedsOnTabs }, now);
    this.#feedTimes(ended);
    // Nothing to keep when there is no grant (most tab switches).
    return this.#grants.active.length > 0 || ended.length > 0 ? this.#saveGrants() : Promise.resolve();
  }

  onTimer() {
    return this.#run(async () => {
      await this.expire();
      if (this.#cache.state.pausedUntil !== null && this.#cache.state.pausedUntil <= this.#now()) {
        await this.#syncRules();
        await this.broadcast();
      }
      this.schedule();
    });
  }

  /** content_state: what content scripts may know. */
  contentState() {
    return this.#run(() => this.#contentStateNow());
  }

  /** overlay_shown: an overlay is up; if its prompt page never opens, show the page instead. */
  overlayShown(ctx, { feedId, url }) {
    return this.#run(() => {
      if (ctx.tabId < 0) return { ok: false };
      const tabId = ctx.tabId;
      const old = this.#fallbackTimers.get(tabId);
      if (old !== undefined) this.#timers.clearTimeout(old);
      this.#fallbackTimers.set(tabId, this.#timers.setTimeout(() => {
        this.#fallbackTimers.delete(tabId);
        this.#run(async () => {
          const p = this.#prompts.get(tabId);
          if (p && p.feedId === feedId) return;
          // Only if the tab still shows that feed without a grant (it may have moved on since).
          let now;
          try {
            now = (await this.#tabs.get(tabId))?.url;
          } catch {
            return;
          }
          if (this.#cache.feedOf(now) !== feedId || this.#grants.grantFor(feedId, this.#now()) || promptsPaused(this.#cache.state, this.#now())) return;
          this.#log(`overlay in tab ${tabId} never opened its prompt; showing the prompt page`);
          await this.#tabs.update(tabId, { url: promptPageUrl(this.#promptUrl, { feedId, name: this.#cache.feedName(feedId), url: now }) }).catch(() => {});
        });
      }, OVERLAY_FALLBACK_MS));
      return { ok: true };
    });
  }

  /** A prompt page connected (runtime.onConnect, name "prompt"). */
  onConnect(port, route) {
    if (port?.name !== 'prompt') return;
    port.onMessage.addListener((msg) => {
      const p = route(msg, port.sender, port);
      if (!p) {
        if (msg && typeof msg.rid === 'number') port.postMessage({ rid: msg.rid, result: { ok: false, error: 'refused' } });
        return;
      }
      p.then(
        (result) => {
          try {
            port.postMessage({ rid: msg.rid, result });
          } catch {
            // the page is gone
          }
        },
        (err) => this.#log('prompt message', err),
      );
    });
    port.onDisconnect.addListener(() => this.#portGone(port));
  }

  #portGone(port) {
    this.#run(() => {
      for (const [tabId, p] of this.#ports) {
        if (p !== port) continue;
        this.#ports.delete(tabId);
        if (!this.#prompts.get(tabId)) continue;
        // A reload or a re-attached overlay comes back within the grace time.
        const t = this.#timers.setTimeout(() => {
          this.#graceTimers.delete(tabId);
          this.#run(async () => {
            if (this.#ports.has(tabId)) return;
            await this.#abandon(tabId);
          });
        }, PORT_GRACE_MS);
        this.#graceTimers.set(tabId, t);
      }
    });
  }

  async #abandon(tabId) {
    const ev = this.#prompts.abandon(tabId, this.#now());
    await this.#savePrompts();
    if (ev) await this.#record(ev);
  }

  async #record(ev) {
    if (ev.answer === 'habit' || ev.answer === 'habit_continued') {
      this.#habitLog = [...this.#habitLog, Date.parse(ev.ts)].slice(-HABIT_LOG_CAP);
      await this.#local.set({ [KEYS.habitLog]: this.#habitLog });
    }
    await this.#enqueue(ev);
  }

  /** prompt_open: a prompt page (top level or in the overlay) starts or resumes its prompt. */
  async promptOpen(ctx, { feedId, url, mode, doneFor }) {
    // At launch the grants and the pause count only once the gate is lifted
    // (before that the launch rules would send a "continue" straight back here).
    await this.#whenDecided();
    return this.#run(async () => {
      if (ctx.tabId < 0) return { ok: false, error: 'no_tab' };
      // The page is web accessible, so any site can open it: the target must
      // be that feed, or the page would record a prompt for it and then send
      // the tab wherever `u` says.
      if (this.#cache.feedOf(url) !== feedId && this.#cache.catalog.feeds.some((f) => f.id === feedId)) return { ok: false, error: 'not_a_feed' };
      const now = this.#now();
      const tabId = ctx.tabId;
      const overlay = ctx.frameId > 0;
      const feed = this.#cache.catalog.feeds.find((f) => f.id === feedId);
      const { prompt } = this.#cache.state;
      const base = { ok: true, name: feed?.name ?? feedId, timeboxes: prompt.timeboxesMinutes, defaultTimebox: prompt.defaultTimeboxMinutes };
      const fb = this.#fallbackTimers.get(tabId);
      if (fb !== undefined) {
        this.#timers.clearTimeout(fb);
        this.#fallbackTimers.delete(tabId);
      }
      const grace = this.#graceTimers.get(tabId);
      if (grace !== undefined) {
        this.#timers.clearTimeout(grace);
        this.#graceTimers.delete(tabId);
      }
      if (ctx.port) this.#ports.set(tabId, ctx.port);

      if (mode !== 'done') {
        const granted = Boolean(this.#grants.grantFor(feedId, now));
        const paused = promptsPaused(this.#cache.state, now);
        if (granted || paused || !feed) {
          // Nothing to ask: the feed is open for a reason already given, prompts are paused, or the feed is gone.
          const p = this.#prompts.get(tabId);
          if (p && p.feedId === feedId) {
            this.#prompts.drop(tabId);
            await this.#savePrompts();
          }
          if (overlay) this.#sendToTab(tabId, { type: 'overlay_close', action: 'continue' }).catch(() => {});
          return { ...base, granted: granted || !feed, paused, action: overlay ? 'none' : 'continue' };
        }
      }
      const pauseMs = mode === 'done'
        ? 0
        : Math.round(pauseSeconds(prompt, habitOpensToday(this.#cache.state, this.#habitLog, now)) * 1000);
      const { pending, resumed, abandoned } = this.#prompts.open({
        tabId,
        windowId: ctx.windowId,
        feedId,
        domain: pageInfo(url).domain,
        url,
        via: overlay ? 'spa' : 'navigation',
        mode: mode === 'done' ? 'done' : 'prompt',
        pauseMs,
        timeboxes: prompt.timeboxesMinutes,
        defaultTimebox: prompt.defaultTimeboxMinutes,
        doneFor: mode === 'done' ? doneFor : undefined,
        canExtend: mode === 'done' ? this.#grants.canExtend(doneFor) : undefined,
      }, now);
      await this.#savePrompts();
      if (abandoned) await this.#record(abandoned);
      return {
        ...base,
        pauseMs: resumed ? Math.max(0, pending.shownAt + pending.pauseMs - now) : pending.pauseMs,
        canExtend: pending.mode === 'done' ? Boolean(pending.canExtend) : false,
      };
    });
  }

  /** prompt_answer: the prompt page's answer; records it and says where the tab goes. */
  promptAnswer(ctx, a) {
    return this.#run(async () => {
      if (ctx.tabId < 0) return { ok: false, error: 'no_tab' };
      const now = this.#now();
      const tabId = ctx.tabId;
      const overlay = ctx.frameId > 0;
      const r = this.#prompts.answer(tabId, a, now);
      if (!r.ok) return r;
      await this.#savePrompts();
      if (r.event) await this.#record(r.event);

      if (r.grant) {
        const g = newGrant({ ...r.grant, now });
        this.#feedTimes(this.#grants.add(g, now));
        await this.#saveGrants();
        await this.#syncRules();
        await this.broadcast();
        await this.#presence();
        this.schedule();
        await this.#releaseOthers(g.feedId, tabId);
        if (overlay) {
          this.#sendToTab(tabId, { type: 'overlay_close', action: 'continue' }).catch(() => {});
          return { ok: true, action: 'none' };
        }
        return { ok: true, action: 'continue' };
      }

      // habit, or leave after a "done?": back, or close when there is nowhere to go back to.
      if (overlay) {
        let res = null;
        try {
          res = await this.#sendToTab(tabId, { type: 'overlay_close', action: 'back' });
        } catch {
          return { ok: true, action: 'back' }; // the page's script is gone: go back from the frame
        }
        if (!res?.wentBack) await this.#closeTab(tabId);
        return { ok: true, action: 'none' };
      }
      if (a.canGoBack) return { ok: true, action: 'back' };
      await this.#closeTab(tabId);
      return { ok: true, action: 'none' };
    });
  }

  async #closeTab(tabId) {
    try {
      await this.#tabs.remove(tabId);
    } catch (err) {
      this.#log('tabs.remove', err);
    }
  }

  /** A feed was granted: other tabs waiting on the same feed's prompt just go on. */
  async #releaseOthers(feedId, exceptTab) {
    let changed = false;
    for (const p of this.#prompts.all()) {
      if (p.feedId !== feedId || p.mode !== 'prompt' || p.tabId === exceptTab) continue;
      this.#prompts.drop(p.tabId);
      changed = true;
      if (p.via === 'spa') {
        this.#sendToTab(p.tabId, { type: 'overlay_close', action: 'continue' }).catch(() => {});
      } else {
        try {
          this.#ports.get(p.tabId)?.postMessage({ type: 'granted', action: 'continue' });
        } catch {
          // gone; when it comes back, prompt_open finds the grant
        }
      }
    }
    if (changed) await this.#savePrompts();
  }

  /** webNavigation.onHistoryStateUpdated: an in-page route change. */
  onHistoryStateUpdated(details) {
    if (!details || details.frameId !== 0 || !(details.tabId >= 0)) return Promise.resolve();
    return this.#run(() => {
      this.#tabPresence.setFeed(details.tabId, this.#cache.feedOf(details.url));
      return this.#presence();
    });
  }

  /** tabs.onRemoved */
  onTabRemoved(tabId) {
    if (!(tabId >= 0)) return Promise.resolve();
    return this.#run(async () => {
      this.#ports.delete(tabId);
      for (const timers of [this.#graceTimers, this.#fallbackTimers]) {
        const t = timers.get(tabId);
        if (t !== undefined) this.#timers.clearTimeout(t);
        timers.delete(tabId);
      }
      await this.#abandon(tabId);
      this.#tabPresence.remove(tabId);
      await this.#presence();
    });
  }

  /** tabs.onActivated */
  onTabActivated(info) {
    if (!info || !(info.tabId >= 0)) return Promise.resolve();
    return this.#run(() => {
      this.#tabPresence.activate(info.windowId, info.tabId);
      return this.#presence();
    });
  }

  /** windows.onFocusChanged (-1: no browser window has focus) */
  onFocusChanged(windowId) {
    return this.#run(() => {
      this.#tabPresence.focus(windowId);
      return this.#presence();
    });
  }

  /** idle.onStateChanged */
  onIdleStateChanged(state) {
    return this.#run(() => {
      this.#tabPresence.idle(state);
      return this.#presence();
    });
  }

  /** The running grants (for the debug hook). */
  grants() {
    return this.#run(() => this.#grants.active.map((g) => ({ ...g })));
  }
}
