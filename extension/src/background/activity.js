// Turns browser events into protocol events and queues them.
//
// Every event gets its id and ts synchronously, in the listener, at the
// moment it happens; details that need an API call (a tab's window or URL)
// are looked up afterwards, while the event's place in the queue is already
// taken (EventQueue.append accepts a promise).

import {
  IDLE_STATES, domainOf, idleState, pageInfo, stamp, tabActivated, tabClosed, tabNavigated,
  validateEvent, windowFocus,
} from '../shared/protocol.js';
import { SESSION_KEYS } from '../shared/storage-keys.js';

export class ActivityTracker {
  #queue;
  #tabMap;
  #tabs;
  #newId;
  #now;
  #onQueued;
  #log;
  #feedOf;
  #session;
  #idleChain = Promise.resolve();

  /**
   * @param {{
   *   queue: import('./queue.js').EventQueue,
   *   tabMap: import('./tab-map.js').TabMap,
   *   tabs: {get: (tabId: number) => Promise<{windowId?: number, url?: string, pendingUrl?: string}>},
   *   newId?: () => string,
   *   now?: () => number,
   *   onQueued?: () => void,
   *   log?: (msg: string, err?: unknown) => void,
   *   feedOf?: (url: string) => string | undefined,  the feed a page is (tab_navigated feed_id)
   *   session?: {get: Function, set: Function} | null,  storage.session: the last idle state
   * }} deps
   */
  constructor({
    queue, tabMap, tabs, newId = () => crypto.randomUUID(), now = () => Date.now(), onQueued = () => {}, log = () => {},
    feedOf = () => undefined, session = null,
  }) {
    this.#feedOf = feedOf;
    this.#session = session;
    this.#queue = queue;
    this.#tabMap = tabMap;
    this.#tabs = tabs;
    this.#newId = newId;
    this.#now = now;
    this.#onQueued = onQueued;
    this.#log = log;
  }

  #stamp() {
    return stamp({ newId: this.#newId, now: this.#now });
  }

  async #tab(tabId) {
    try {
      return (await this.#tabs.get(tabId)) ?? null;
    } catch {
      return null; // the tab is gone (or is a prerender the tabs API cannot see)
    }
  }

  #enqueue(eventPromise) {
    const checked = Promise.resolve(eventPromise).then((ev) => {
      if (ev === null) return null; // nothing to record after all
      const r = validateEvent(ev);
      if (!r.ok) {
        this.#log(`event not queued: ${r.message}`);
        return null;
      }
      return ev;
    });
    return this.#queue.append(checked).then((added) => {
      if (added) this.#onQueued();
      return added;
    });
  }

  /** webNavigation.onCommitted: top-level navigations only. */
  onCommitted(details) {
    if (!details || details.frameId !== 0 || !(details.tabId >= 0)) return Promise.resolve(false);
    const st = this.#stamp();
    const { domain, url } = pageInfo(details.url);
    let feedId;
    try {
      feedId = this.#feedOf(details.url);
    } catch {
      feedId = undefined;
    }
    const tabId = details.tabId;
    this.#tabMap.set(tabId, domain).catch((err) => this.#log('tab map', err));
    return this.#enqueue(
      (async () => {
        const tab = await this.#tab(tabId);
        const windowId = Number.isInteger(tab?.windowId) ? tab.windowId : -1;
        return tabNavigated(st, { tabId, windowId, domain, url, feedId });
      })(),
    );
  }

  /** tabs.onActivated */
  onActivated(info) {
    if (!info || !(info.tabId >= 0)) return Promise.resolve(false);
    const st = this.#stamp();
    const { tabId, windowId } = info;
    return this.#enqueue(
      (async () => {
        const tab = await this.#tab(tabId);
        const domain = domainOf(tab?.url || tab?.pendingUrl);
        if (tab) this.#tabMap.set(tabId, domain).catch((err) => this.#log('tab map', err));
        return tabActivated(st, { tabId, windowId, domain });
      })(),
    );
  }

  /** tabs.onRemoved */
  onRemoved(tabId, removeInfo) {
    if (!(tabId >= 0)) return Promise.resolve(false);
    const st = this.#stamp();
    const windowId = Number.isInteger(removeInfo?.windowId) ? removeInfo.windowId : -1;
    return this.#enqueue(
      (async () => {
        const domain = await this.#tabMap.take(tabId);
        return tabClosed(st, { tabId, windowId, domain });
      })(),
    );
  }

  /** windows.onFocusChanged; -1 (WINDOW_ID_NONE) when no browser window has focus. */
  onFocusChanged(windowId) {
    const st = this.#stamp();
    return this.#enqueue(windowFocus(st, { windowId: Number.isInteger(windowId) ? windowId : -1 }));
  }

  /**
   * idle.onStateChanged. Only a change is an event: Firefox hands an event
   * page that it wakes the current state again ("idle", after every wake-up
   * of an idle browser), so the last state is kept in storage.session,
   * which outlives the page.
   */
  onIdleStateChanged(state) {
    if (!IDLE_STATES.includes(state)) return Promise.resolve(false);
    const st = this.#stamp();
    const changed = (this.#idleChain = this.#idleChain.then(() => this.#idleChanged(state)));
    return this.#enqueue(changed.then((yes) => (yes ? idleState(st, { state }) : null)));
  }

  /** Records state as the last idle state; false when it already was. */
  async #idleChanged(state) {
    if (!this.#session) return true;
    try {
      const got = await this.#session.get(SESSION_KEYS.idleState);
      if (got?.[SESSION_KEYS.idleState] === state) return false;
      await this.#session.set({ [SESSION_KEYS.idleState]: state });
    } catch (err) {
      this.#log('idle state', err);
    }
    return true;
  }

  /** Records the domains of tabs that were open before we started listening. */
  async seedTabs(tabList) {
    const entries = (tabList ?? []).filter((t) => t?.id >= 0).map((t) => [t.id, domainOf(t.url || t.pendingUrl)]);
    await this.#tabMap.seed(entries);
  }
}
