// Where the user is, as far as feed time cares: which feed each tab shows,
// the active tab of each window, the focused window and the idle state.
// Pure (no browser API): the prompt guard feeds it the browser's tab,
// window and idle events and hands what it says to grants.js, which counts
// a grant's feed time while its feed is in front of the user.
//
//   tabs ─ feed per tab ─┐
//   active tab / window ─┼─► activeFeed: the focused window's active tab's feed
//   focused window ──────┤      (null when no window has the focus, or locked)
//   idle state ──────────┘   feedsOnTabs: every feed some tab shows

export class TabPresence {
  /** tabId → feed id, or null for a page that is no feed */
  #tabFeed = new Map();
  /** windowId → its active tab */
  #activeTab = new Map();
  #focusedWindow = -1;
  #idleState = 'active';

  /** A tab shows a page of a feed (undefined or null: no feed). */
  setFeed(tabId, feedId) {
    this.#tabFeed.set(tabId, feedId ?? null);
  }

  /** A tab is gone. */
  remove(tabId) {
    this.#tabFeed.delete(tabId);
    for (const [w, t] of this.#activeTab) if (t === tabId) this.#activeTab.delete(w);
  }

  /** A tab became the active one of its window. */
  activate(windowId, tabId) {
    this.#activeTab.set(windowId, tabId);
  }

  /** A window has the focus (-1, or anything but an integer: none has). */
  focus(windowId) {
    this.#focusedWindow = Number.isInteger(windowId) ? windowId : -1;
  }

  /** The idle state: "active", "idle" or "locked" (anything else is ignored). */
  idle(state) {
    if (typeof state === 'string') this.#idleState = state;
  }

  /** The feed in front of the user, or null. */
  get activeFeed() {
    return this.#idleState !== 'locked' && this.#focusedWindow >= 0
      ? this.#tabFeed.get(this.#activeTab.get(this.#focusedWindow)) ?? null
      : null;
  }

  /** Every feed some tab shows. */
  get feedsOnTabs() {
    return new Set([...this.#tabFeed.values()].filter((f) => typeof f === 'string'));
  }

  /** The tabs that show a feed, in the order they were first seen. */
  tabsOn(feedId) {
    return [...this.#tabFeed].filter(([, f]) => f === feedId).map(([tabId]) => tabId);
  }
}
