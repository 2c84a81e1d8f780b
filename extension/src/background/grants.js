// Grants: a `need` or `habit_continued` answer lets one feed load, on all its
// hosts and in every tab, until its time box ends. Pure bookkeeping over
// plain data (kept in storage.local `grants`), driven with explicit times.
//
// Time on the feed counts only while the feed is in front of the user: the
// active tab of the focused window shows the feed and the user is not idle.
//
//   present ──(active tab of focused window on the feed)──► segment runs
//      ▲                                                       │
//      └──(tab switch, focus lost, idle, tab left the feed)────┘ activeMs += span
//
// A visit ends when no tab shows the feed any more, or when the time box
// ends; each end reports the time not reported yet as one `feed_time`
// (the daemon adds them up per prompt). The grant itself lasts its whole
// time box: coming back to the feed within it asks nothing.
//
// Ended grants are remembered for two days so the "done?" prompt knows
// whether an original prompt was already extended (once at most).

export const ENDED_KEEP_MS = 48 * 60 * 60 * 1000;

/**
 * @typedef {{
 *   promptId: string, rootId: string, feedId: string, startedAt: number, endsAt: number,
 *   timeboxMinutes: number, activeMs: number, activeSince: number | null, reportedMs: number,
 *   reports: number, onFeed: boolean,
 * }} Grant
 * @typedef {{promptId: string, rootId: string, feedId: string, endedAt: number, extended: boolean}} EndedGrant
 * @typedef {{promptId: string, feedId: string, ms: number}} FeedTime
 */

export function newGrant({ promptId, rootId = promptId, feedId, now, timeboxMinutes }) {
  return {
    promptId, rootId, feedId, startedAt: now, endsAt: now + timeboxMinutes * 60_000, timeboxMinutes,
    activeMs: 0, activeSince: null, reportedMs: 0, reports: 0, onFeed: false,
  };
}

const isGrant = (g) =>
  g && typeof g.promptId === 'string' && typeof g.feedId === 'string' && typeof g.endsAt === 'number' && typeof g.startedAt === 'number';

export class GrantBook {
  /** @type {Grant[]} */
  active = [];
  /** @type {EndedGrant[]} */
  ended = [];
  /** The feed in front of the user, as last told by setPresence. */
  #activeFeed = null;

  /** Restores a book from its stored form; anything malformed is dropped. */
  static from(raw) {
    const b = new GrantBook();
    if (raw && typeof raw === 'object') {
      if (Array.isArray(raw.active)) {
        b.active = raw.active.filter(isGrant).map((g) => ({
          rootId: g.promptId, activeMs: 0, activeSince: null, reportedMs: 0, reports: 0, onFeed: false, ...g,
        }));
      }
      if (Array.isArray(raw.ended)) b.ended = raw.ended.filter((e) => e && typeof e.promptId === 'string');
    }
    return b;
  }

  toJSON() {
    return { active: this.active, ended: this.ended };
  }

  /** The running grant for a feed at `now`, or undefined. */
  grantFor(feedId, now) {
    return this.active.find((g) => g.feedId === feedId && g.endsAt > now);
  }

  /** Running grants as content scripts and rules need them. */
  summary(now) {
    return this.active.filter((g) => g.endsAt > now).map((g) => ({ feedId: g.feedId, endsAt: g.endsAt }));
  }

  /** The earliest end of a running grant, or null. */
  nextEnd() {
    return this.active.length ? Math.min(...this.active.map((g) => g.endsAt)) : null;
  }

  #close(g, at) {
    if (g.activeSince !== null) {
      g.activeMs += Math.max(0, at - g.activeSince);
      g.activeSince = null;
    }
  }

  /** Reports the unreported time of g (always once per grant, even if 0). */
  #report(g, { final }) {
    const ms = g.activeMs - g.reportedMs;
    if (ms <= 0 && !(final && g.reports === 0)) return null;
    g.reportedMs = g.activeMs;
    g.reports += 1;
    return { promptId: g.promptId, feedId: g.feedId, ms: Math.max(0, ms) };
  }

  #end(g, now, out) {
    this.#close(g, Math.min(now, g.endsAt));
    const ft = this.#report(g, { final: true });
    if (ft) out.push(ft);
    this.active = this.active.filter((x) => x !== g);
    const prior = this.ended.find((e) => e.promptId === g.promptId);
    if (!prior) this.ended.push({ promptId: g.promptId, rootId: g.rootId, feedId: g.feedId, endedAt: now, extended: false });
  }

  /**
   * Adds a grant. A running grant for the same feed ends first (its time is
   * reported). The new grant starts counting at once if its feed is in front.
   * @returns {FeedTime[]}
   */
  add(grant, now) {
    const out = [];
    for (const g of this.active.filter((x) => x.feedId === grant.feedId)) this.#end(g, now, out);
    this.active.push(grant);
    if (this.#activeFeed === grant.feedId) grant.activeSince = now;
    if (grant.rootId !== grant.promptId) this.markExtended(grant.rootId, now);
    return out;
  }

  /**
   * Where the user is: activeFeed is the feed shown in the active tab of the
   * focused window while the user is active (else null); feedsOnTabs is every
   * feed some tab shows. Returns the time of visits that ended.
   * @param {{activeFeed: string | null, feedsOnTabs: Set<string>}} presence
   * @returns {FeedTime[]}
   */
  setPresence({ activeFeed, feedsOnTabs }, now) {
    this.#activeFeed = activeFeed ?? null;
    const out = [];
    for (const g of this.active) {
      if (g.endsAt <= now) continue; // expire() ends it, counting up to endsAt
      const front = g.feedId === this.#activeFeed;
      if (front && g.activeSince === null) g.activeSince = now;
      if (!front) this.#close(g, now);
      const on = feedsOnTabs.has(g.feedId) || front;
      if (g.onFeed && !on) {
        const ft = this.#report(g, { final: false });
        if (ft) out.push(ft);
      }
      g.onFeed = on;
    }
    return out;
  }

  /**
   * Ends every grant whose time box is over at `now`.
   * @returns {{expired: Grant[], feedTimes: FeedTime[]}}
   */
  expire(now) {
    const expired = this.active.filter((g) => g.endsAt <= now);
    const feedTimes = [];
    for (const g of expired) this.#end(g, now, feedTimes);
    this.prune(now);
    return { expired, feedTimes };
  }

  /** Ends a feed's grant now (e.g. the feed was disabled). */
  revoke(feedId, now) {
    const out = [];
    for (const g of this.active.filter((x) => x.feedId === feedId)) this.#end(g, now, out);
    return out;
  }

  /**
   * Whether the "done?" prompt for promptId may offer "Extend once": only
   * for an original prompt (not itself an extension) not yet extended.
   */
  canExtend(promptId) {
    const rec = this.ended.find((e) => e.promptId === promptId) ?? this.active.find((g) => g.promptId === promptId);
    if (!rec || rec.rootId !== rec.promptId) return false;
    const ended = this.ended.find((e) => e.promptId === promptId);
    return !(ended?.extended ?? false);
  }

  markExtended(rootId, now) {
    const e = this.ended.find((x) => x.promptId === rootId);
    if (e) e.extended = true;
    else this.ended.push({ promptId: rootId, rootId, feedId: '', endedAt: now, extended: true });
  }

  /** The ended grant record of a prompt, if remembered. */
  endedRecord(promptId) {
    return this.ended.find((e) => e.promptId === promptId);
  }

  prune(now) {
    this.ended = this.ended.filter((e) => now - e.endedAt < ENDED_KEEP_MS);
    if (this.ended.length > 500) this.ended = this.ended.slice(-500);
  }
}
