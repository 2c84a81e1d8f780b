// The break enforcer: the shell around breaks.js (the pure core: which
// breaks run at a time, which tabs go to the break page, when to wake next).
//
//   cached breaks ─► breaks.js (running breaks, next start or end) ─► rules
//       (through rule sync), tabs on blocked sites ─► break page; break
//       pages told to look again
//   break page ──runtime messages──► break_info (+ `break_attempt`),
//       break_note, break_stop_request / break_stop (the daemon, via request)
//
// Breaks are enforced from the cache, so they start and end on time with the
// daemon down. Every handler of enforcement.js first catches up (catchUp):
// if the running breaks at `now` are not the ones the rules were built for
// (the worker slept through a transition), rules, tabs and break pages follow
// before anything else. Near a transition the worker is kept awake (a cheap
// API call every 20 s) and a timer fires on time; alarms wake it before that.
//
// Its handlers (onWake, breakInfo, breakNote, breaks) run on enforcement.js's
// serial chain (`run`); its other methods are called from inside that chain.

import { MAX_BREAK_KEY_LENGTH, breakAttemptEvent, breakNoteEvent, cleanNote, cleanStopReason, pageInfo, stamp } from '../shared/protocol.js';
import { GATE_KEY, isBreakPage, parseBreakUrl } from '../shared/break-url.js';
import {
  KEEPALIVE_MS, activeBreaks, breakErrorReply, breakForUrl, breakSignature, breakView, hostOf, mayReturn, siteCovers, tabsToSwitch,
  timerPlan, updatedTab,
} from './breaks.js';
import { gatedSites } from './rulesync.js';

/** One-shot alarms at the next break start or end, and a minute before it. */
export const BREAK_ALARM = 'mindful-break';
export const BREAK_SOON_ALARM = 'mindful-break-soon';

export class BreakEnforcer {
  #cache;
  #tabs;
  #alarm;
  #timers;
  #now;
  #newId;
  #log;
  #keepalive;
  #request;
  #notifyPages;
  #promptUrl;
  #breakUrl;
  #enqueue;
  #run;
  #syncRules;
  #whenDecided;

  /** tabId → the URL of a tab this background switched to the break page */
  #switched = new Map();
  /** breakSignature the current rules were built for */
  #breakSig = null;
  #breakTimer = null;
  #breakPlanKey = '';
  #keepTimer = null;
  #keepUntil = 0;

  /**
   * @param {{
   *   cache: import('./state-cache.js').StateCache,
   *   tabs: {query: Function, get: Function, update: Function},
   *   alarm: {at: (name: string, when: number) => void, clear: (name: string) => void},
   *   timers: {setTimeout: Function, clearTimeout: Function}, now: () => number, newId: () => string,
   *   log: (msg: string, err?: unknown) => void,
   *   keepalive: () => Promise<unknown>,   one cheap extension API call (keeps the worker awake)
   *   request: ((type: string, body: object) => Promise<{body: object}>) | null,   a request to the daemon
   *   notifyPages: (msg: object) => Promise<unknown>,   a message to our open extension pages
   *   promptUrl: string, breakUrl: string,
   *   enqueue: (ev: object) => Promise<boolean>,
   *   run: (fn: Function) => Promise<unknown>,   enforcement.js's serial chain
   *   syncRules: () => Promise<void>, whenDecided: () => Promise<void>,
   * }} deps
   */
  constructor({
    cache, tabs, alarm, timers, now, newId, log, keepalive, request, notifyPages, promptUrl, breakUrl, enqueue, run, syncRules, whenDecided,
  }) {
    this.#cache = cache;
    this.#tabs = tabs;
    this.#alarm = alarm;
    this.#timers = timers;
    this.#now = now;
    this.#newId = newId;
    this.#log = log;
    this.#keepalive = keepalive;
    this.#request = request;
    this.#notifyPages = notifyPages;
    this.#promptUrl = promptUrl;
    this.#breakUrl = breakUrl;
    this.#enqueue = enqueue;
    this.#run = run;
    this.#syncRules = syncRules;
    this.#whenDecided = whenDecided;
  }

  // ---------------------------------------------------------------- rules

  /** The break enforcer's part of the rule sync's input; remembers what the rules are built for. */
  ruleInput(now) {
    this.#breakSig = breakSignature(this.#cache.state.breaks, now);
    return { breaks: this.#cache.state.breaks, breakUrl: this.#breakUrl };
  }

  /** The rules could not be applied: the next catch-up tries again. */
  rulesFailed() {
    this.#breakSig = ''; // matches no signature
  }

  /** Whether a running break covers a URL (the break page has that tab). */
  covers(url) {
    return Boolean(breakForUrl(activeBreaks(this.#cache.state.breaks, this.#now()), url));
  }

  /** Whether the launch gate covers a URL's host (a break page may send such a tab on). */
  #gated(url) {
    const host = hostOf(url);
    const { state } = this.#cache;
    return host !== '' && gatedSites(state.feeds, state.breaks).some((s) => siteCovers(s, host));
  }

  // --------------------------------------------------------------- breaks

  /** The running breaks changed since the rules were built: rules, tabs, pages, timers. */
  async catchUp() {
    if (this.#breakSig === null) return; // not started yet (start() builds everything)
    if (breakSignature(this.#cache.state.breaks, this.#now()) === this.#breakSig) return;
    await this.#syncRules();
    await this.followTabs();
    this.schedule();
  }

  /**
   * After the rules: tabs open on a blocked site go to the break page, and
   * open break pages are told to look again (a break ended: they go back).
   */
  async followTabs() {
    if (!this.#breakUrl) return;
    let all = [];
    try {
      all = (await this.#tabs.query({})) ?? [];
    } catch (err) {
      this.#log('tabs.query', err);
      return;
    }
    await this.#switchTabs(tabsToSwitch(all, activeBreaks(this.#cache.state.breaks, this.#now()), { breakUrl: this.#breakUrl, promptUrl: this.#promptUrl }));
    if (all.some((t) => isBreakPage(t?.url, this.#breakUrl) || isBreakPage(t?.pendingUrl, this.#breakUrl))) {
      try {
        await Promise.resolve(this.#notifyPages({ type: 'breaks_changed' })).catch(() => {});
      } catch {
        // no page listening
      }
    }
  }

  async #switchTabs(list) {
    for (const sw of list) {
      this.#switched.set(sw.tabId, sw.from);
      try {
        await this.#tabs.update(sw.tabId, { url: sw.url });
      } catch (err) {
        this.#log(`switching tab ${sw.tabId} to the break page`, err);
      }
    }
  }

  /**
   * A tab's top frame committed: a break page brought by a redirect is an
   * attempt; a blocked site that committed during a break (its rules were
   * missing or not allowed) gets the break page.
   */
  async committed(details) {
    const tabId = details.tabId;
    if (isBreakPage(details.url, this.#breakUrl)) await this.#recordAttempt(details);
    if (details.frameId === 0 && hostOf(details.url) !== '') {
      const sw = tabsToSwitch([{ id: tabId, url: details.url }], activeBreaks(this.#cache.state.breaks, this.#now()), { breakUrl: this.#breakUrl });
      if (sw.length > 0 && this.#breakUrl) await this.#switchTabs(sw);
    }
  }

  /**
   * tabs.onUpdated (once decided): a tab that finished loading, or changed
   * its address, on a blocked site during a break gets the break page. It
   * catches what no commit showed: a tab the browser restored and loaded
   * before the rules or the listeners were in place.
   */
  async tabUpdated(tabId, change, tab) {
    if (!this.#breakUrl || !updatedTab(tabId, change, tab)) return;
    // Where the tab is now: the event's snapshot may be older than a switch
    // its commit brought already (the handlers run one after another).
    let now = tab;
    try {
      now = (await this.#tabs.get(tabId)) ?? tab;
    } catch {
      return; // closed since
    }
    const t = updatedTab(tabId, change, now);
    if (!t) return;
    await this.#switchTabs(tabsToSwitch([t], activeBreaks(this.#cache.state.breaks, this.#now()), { breakUrl: this.#breakUrl, promptUrl: this.#promptUrl }));
  }

  /** Plans the wake-up for the next break start or end (breaks.js timerPlan). */
  schedule() {
    const now = this.#now();
    const plan = timerPlan(this.#cache.state.breaks, now);
    if (this.#breakTimer !== null) this.#timers.clearTimeout(this.#breakTimer);
    this.#breakTimer = null;
    const planKey = plan ? `${plan.alarmAt}/${plan.soonAt}` : '';
    if (planKey !== this.#breakPlanKey) {
      this.#breakPlanKey = planKey;
      if (plan) this.#alarm.at(BREAK_ALARM, plan.alarmAt);
      else this.#alarm.clear(BREAK_ALARM);
      if (plan?.soonAt) this.#alarm.at(BREAK_SOON_ALARM, plan.soonAt);
      else this.#alarm.clear(BREAK_SOON_ALARM);
    }
    if (!plan) return;
    this.#breakTimer = this.#timers.setTimeout(() => {
      this.#breakTimer = null;
      this.onWake();
    }, plan.delay);
    if (plan.precise) this.#keepAwake(plan.at + 5_000);
  }

  /** Keeps the worker alive until `until`: one cheap API call now and every KEEPALIVE_MS. */
  #keepAwake(until) {
    this.#keepUntil = Math.max(this.#keepUntil, until);
    if (this.#keepTimer !== null) return;
    const beat = () => {
      Promise.resolve().then(() => this.#keepalive()).catch((err) => this.#log('keepalive call failed', err));
      if (this.#now() >= this.#keepUntil) {
        this.#keepTimer = null;
        return;
      }
      this.#keepTimer = this.#timers.setTimeout(beat, Math.min(KEEPALIVE_MS, Math.max(0, this.#keepUntil - this.#now())));
    };
    beat();
  }

  /**
   * The worker woke (the 1-minute alarm, a break alarm or timer): catch up
   * with the breaks (the serial chain does) and plan the next transition.
   */
  onWake() {
    return this.#run(() => this.schedule());
  }

  /**
   * break_info: what the break page shows. The break covering the page's
   * URL (the page's own key if that one still runs), or "ended". (The
   * attempt that brought the page is recorded when it commits, in
   * committed, so it counts even if the user leaves at once.)
   */
  async breakInfo(ctx, { key, url }) {
    // The launch gate: wait until the background has decided.
    await this.#whenDecided();
    return this.#run(async () => {
      const now = this.#now();
      const { state } = this.#cache;
      const b = breakForUrl(activeBreaks(state.breaks, now), url, key);
      if (!b) {
        // The gate's own page, and a tab this background switched, may go
        // back to a gated site even if its break left the schedule (it
        // ended early while the page was up, or the cache was stale).
        const ours = key === GATE_KEY || this.#switched.get(ctx.tabId) === url;
        const returnOk = mayReturn(state.breaks, key, url) || (ours && this.#gated(url));
        return { ok: true, state: 'ended', returnOk };
      }
      return { ok: true, state: 'on', now, ...breakView(b, state) };
    });
  }

  /**
   * A break page committed in a tab's top frame. A redirect rule sent it
   * there (its address holds the raw URL), so it is an attempt, unless the
   * user reloaded it or came back to it; a tab the background switched at
   * the start of a break is not one either.
   */
  async #recordAttempt(details) {
    const page = parseBreakUrl(details.url);
    if (!page.ok || page.switched) return;
    if (details.transitionType === 'reload' || (details.transitionQualifiers ?? []).includes('forward_back')) return;
    const b = breakForUrl(activeBreaks(this.#cache.state.breaks, this.#now()), page.url, page.key);
    if (!b) return;
    const st = stamp({ newId: this.#newId, now: this.#now });
    let windowId;
    try {
      windowId = (await this.#tabs.get(details.tabId))?.windowId;
    } catch {
      // the tab is gone already; the attempt still counts
    }
    await this.#enqueue(breakAttemptEvent(st, {
      domain: pageInfo(page.url).domain,
      breakKey: b.key,
      tabId: details.tabId,
      windowId: Number.isInteger(windowId) && windowId >= 0 ? windowId : undefined,
    }));
  }

  /** break_note: the user jotted down what they wanted to look at. */
  breakNote(ctx, { key, note }) {
    return this.#run(async () => {
      const text = cleanNote(note);
      if (text === '') return { ok: false, error: 'empty' };
      if (typeof key !== 'string' || key === '' || key.length > MAX_BREAK_KEY_LENGTH) return { ok: false, error: 'key' };
      const added = await this.#enqueue(breakNoteEvent(stamp({ newId: this.#newId, now: this.#now }), { breakKey: key, note: text }));
      return added ? { ok: true } : { ok: false, error: 'not_saved' };
    });
  }

  /**
   * break_stop_request: asks the daemon for a ticket to end the running
   * break early. Not on the serial chain: the daemon may take its time.
   */
  async breakStopRequest(ctx) {
    if (ctx.frameId !== 0) return { ok: false, code: 'refused', error: 'Not from inside another page.' };
    try {
      const msg = await this.#ask('break_stop_request', {});
      const b = msg.body ?? {};
      return { ok: true, ticket: b.ticket, notBefore: Date.parse(b.not_before), name: b.name ?? '', end: b.end ? Date.parse(b.end) : null };
    } catch (err) {
      return breakErrorReply(err);
    }
  }

  /** break_stop: ends the break of the ticket, with the user's reason. */
  async breakStop(ctx, { ticket, reason }) {
    if (ctx.frameId !== 0) return { ok: false, code: 'refused', error: 'Not from inside another page.' };
    const why = cleanStopReason(reason);
    if (why === '') return { ok: false, code: 'invalid', field: 'reason', error: 'Say in a few words why you end this break early.' };
    try {
      const msg = await this.#ask('break_stop', { ticket, reason: why });
      return { ok: true, name: msg.body?.name ?? '', at: msg.body?.at ?? null };
    } catch (err) {
      return breakErrorReply(err);
    }
  }

  #ask(type, body) {
    if (typeof this.#request !== 'function') return Promise.reject(Object.assign(new Error('no connection'), { code: 'not_connected' }));
    return this.#request(type, body);
  }

  /** The running breaks and the next transition (for the debug hook). */
  breaks() {
    return this.#run(() => {
      const now = this.#now();
      return {
        active: activeBreaks(this.#cache.state.breaks, now).map((b) => ({ key: b.key, name: b.name, sites: [...b.sites] })),
        next: timerPlan(this.#cache.state.breaks, now)?.at ?? null,
        keepalive: this.#keepTimer !== null,
      };
    });
  }
}
