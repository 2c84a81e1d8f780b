// Breaks as the extension enforces them from its cached schedule
// (shared/daemon-state.js normalizeBreaks), as pure functions of
// (breaks, now). The daemon may be down: everything here works from the
// cache alone.
//
//   activeBreaks ─► owners (which break's rules cover which site) ─► rules.js
//                └► breakForUrl (the break page: which break, time left)
//                └► tabsToSwitch (tabs open on a blocked site when a break starts)
//                   updatedTab (tabs.onUpdated: a tab that loaded a page, looked at again)
//   nextTransition ─► timerPlan: a one-shot alarm at the transition (fires no
//       sooner than 30 s from when it is set), an alarm a minute before it to
//       wake the worker, and within PRECISE_MS a precise timer plus a
//       keepalive call every KEEPALIVE_MS so the worker is alive then.
//
// Sites are whole sites, as declarativeNetRequest's requestDomains reads
// them: "reddit.com" covers reddit.com and every subdomain of it.

import { breakSwitchUrl, isBreakPage } from '../shared/break-url.js';

/** Within this long of a transition, keep the worker alive and time it with setTimeout. */
export const PRECISE_MS = 90_000;
/** One cheap extension API call this often resets Chrome's 30-second idle timer. */
export const KEEPALIVE_MS = 20_000;
/** A wake-up alarm this long before a transition (the 1-minute alarm is the other safety net). */
export const SOON_MS = 60_000;
/** Chrome fires a one-shot alarm no sooner than this after it was set. */
export const MIN_ALARM_MS = 30_000;

/** @typedef {import('../shared/daemon-state.js').Break} Break */

export function isActive(b, now) {
  return b.start <= now && (b.end === null || now < b.end);
}

/** The breaks running at `now`, in schedule order. */
export function activeBreaks(breaks, now) {
  return (Array.isArray(breaks) ? breaks : []).filter((b) => isActive(b, now));
}

/** Whether `site` covers `host` (the site itself or a subdomain of it). */
export function siteCovers(site, host) {
  return host === site || host.endsWith(`.${site}`);
}

/** The lower-case host of an http(s) URL, or ''. */
export function hostOf(url) {
  if (typeof url !== 'string' || !/^https?:/i.test(url)) return '';
  try {
    return new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return '';
  }
}

/**
 * Which break a site is shown under when breaks overlap: the one that lasts
 * longest (open-ended first), then the earlier start, then schedule order.
 * So a tab rarely has to change breaks when one of them ends.
 */
export function preferred(a, b) {
  const ea = a.end ?? Infinity;
  const eb = b.end ?? Infinity;
  if (ea !== eb) return eb > ea ? 1 : -1;
  if (a.start !== b.start) return a.start - b.start;
  return a.index - b.index;
}

/**
 * Each active site once, under the break it is shown under.
 * @returns {{brk: Break, sites: string[]}[]} in schedule order, breaks without sites left out
 */
export function owners(active) {
  const taken = new Set();
  const bySite = new Map();
  for (const b of [...active].sort(preferred)) {
    for (const s of b.sites) {
      if (taken.has(s)) continue;
      taken.add(s);
      if (!bySite.has(b)) bySite.set(b, []);
      bySite.get(b).push(s);
    }
  }
  return [...active].filter((b) => bySite.has(b)).map((brk) => ({ brk, sites: [...bySite.get(brk)].sort() }));
}

/** Every site blocked at `now`, sorted. */
export function blockedSites(breaks, now) {
  return [...new Set(activeBreaks(breaks, now).flatMap((b) => b.sites))].sort();
}

/** Whether a host is blocked by one of the given sites. */
export function hostBlocked(sites, host) {
  return host !== '' && sites.some((s) => siteCovers(s, host));
}

/**
 * The running break a URL is blocked by: `preferKey` if that break runs and
 * covers the URL, else the preferred one that does. Null when none does.
 */
export function breakForUrl(active, url, preferKey) {
  const host = hostOf(url);
  if (host === '') return null;
  const covering = active.filter((b) => b.sites.some((s) => siteCovers(s, host)));
  if (covering.length === 0) return null;
  return covering.find((b) => b.key === preferKey) ?? [...covering].sort(preferred)[0];
}

/**
 * What the request rules were built for: the running breaks and their sites.
 * When this changes at `now`, the rules, the tabs and the break pages follow.
 */
export function breakSignature(breaks, now) {
  return JSON.stringify(activeBreaks(breaks, now).map((b) => [b.index, b.key, b.sites]));
}

/** The next time a break starts or ends after `now`, or null. */
export function nextTransition(breaks, now) {
  let next = null;
  for (const b of Array.isArray(breaks) ? breaks : []) {
    for (const t of [b.start, b.end]) {
      if (t !== null && t > now && (next === null || t < next)) next = t;
    }
  }
  return next;
}

/**
 * How to be awake at the next transition.
 * @returns {{at: number, alarmAt: number, soonAt: number | null, precise: boolean, delay: number} | null}
 *   alarmAt: a one-shot alarm (a backstop: the browser fires it at least
 *   MIN_ALARM_MS after it was set); soonAt: a wake-up alarm SOON_MS before,
 *   when that is still far enough ahead to be on time; precise: the transition is
 *   within PRECISE_MS, so set a timer for `delay` ms and keep the worker alive
 *   until then. Otherwise `delay` is when to plan again (PRECISE_MS before).
 */
export function timerPlan(breaks, now) {
  const at = nextTransition(breaks, now);
  if (at === null) return null;
  const left = at - now;
  const soon = at - SOON_MS;
  return {
    at,
    alarmAt: at,
    soonAt: soon - now >= MIN_ALARM_MS ? soon : null,
    precise: left <= PRECISE_MS,
    delay: left <= PRECISE_MS ? left : left - PRECISE_MS,
  };
}

/**
 * Tabs to move to the break page: top-level pages on a blocked site, and
 * prompt pages for one. Tabs already on the break page stay.
 * @param {{id: number, url?: string, pendingUrl?: string}[]} tabs
 * @param {Break[]} active
 * @param {{breakUrl: string, promptUrl?: string}} urls
 * @returns {{tabId: number, key: string, from: string, url: string}[]}
 */
export function tabsToSwitch(tabs, active, { breakUrl, promptUrl = '' }) {
  const out = [];
  if (active.length === 0) return out;
  for (const t of Array.isArray(tabs) ? tabs : []) {
    if (!t || !(t.id >= 0)) continue;
    const shown = typeof t.pendingUrl === 'string' && t.pendingUrl !== '' ? t.pendingUrl : t.url;
    if (typeof shown !== 'string' || isBreakPage(shown, breakUrl)) continue;
    let target = shown;
    if (promptUrl && shown.startsWith(`${promptUrl}?`)) target = promptTarget(shown);
    const b = breakForUrl(active, target);
    if (b) out.push({ tabId: t.id, key: b.key, from: target, url: breakSwitchUrl(breakUrl, b.key, target) });
  }
  return out;
}

/**
 * The tab to look at again when tabs.onUpdated reports a change: a top-level
 * page that finished loading or changed its address. This is the backstop
 * for a page that reached a break site without a commit the background saw
 * (a tab the browser restored before the extension's rules or listeners were
 * in place); tabsToSwitch then says whether it goes to the break page.
 * @param {number} tabId
 * @param {{url?: string, status?: string}} change
 * @param {{url?: string, pendingUrl?: string} | undefined} tab
 * @returns {{id: number, url: string, pendingUrl?: string} | null}
 */
export function updatedTab(tabId, change, tab) {
  if (!(tabId >= 0) || !change || !(typeof change.url === 'string' || change.status === 'complete')) return null;
  const url = typeof tab?.url === 'string' && tab.url !== '' ? tab.url : change.url;
  if (typeof url !== 'string' || url === '') return null;
  const out = { id: tabId, url };
  if (typeof tab?.pendingUrl === 'string' && tab.pendingUrl !== '') out.pendingUrl = tab.pendingUrl;
  return out;
}

/** The feed URL a prompt page stands in for (raw after "u=", or encoded with a mode). */
function promptTarget(href) {
  const q = href.slice(href.indexOf('?') + 1);
  const m = /(?:^|&)u=(.*)$/.exec(q);
  if (!m) return '';
  if (/^https?:/i.test(m[1])) return m[1];
  return new URLSearchParams(q).get('u') ?? '';
}

/**
 * Whether the break page may send the tab back to `url` on its own once no
 * break covers it: it is a site of a break the cache knows (running, ended
 * early or still to come), or the key is one of those breaks. A page opened
 * by some other site with a made-up address does not redirect anywhere.
 */
export function mayReturn(breaks, key, url) {
  const host = hostOf(url);
  if (host === '') return false;
  return (Array.isArray(breaks) ? breaks : []).some((b) => b.key === key || b.sites.some((s) => siteCovers(s, host)));
}

/** The early-end wait and what is left, for the break page. */
export function breakView(b, state) {
  return {
    key: b.key,
    name: b.name,
    start: b.start,
    end: b.end,
    locked: b.locked,
    reason: state.breakReason,
    waitSeconds: state.earlyEnd.waitSeconds,
    leftThisWeek: state.earlyEnd.leftThisWeek,
  };
}

/** What the break page shows when ending a break early cannot reach the daemon. */
export const NOT_RUNNING_TEXT = "mindful isn't running: a break can only be ended early through it.";
const BREAK_ERRORS = Object.freeze({
  not_connected: NOT_RUNNING_TEXT,
  timeout: 'mindful did not answer in time. Try again.',
  invalid: 'mindful did not accept that.',
});

/**
 * The break page's reply when asking the daemon to end a break early
 * failed: the daemon's own words when it said something, else ours for
 * the error's code; one sentence, capitalised, with a full stop.
 */
export function breakErrorReply(err) {
  const code = typeof err?.code === 'string' ? err.code : 'not_connected';
  const daemonSaid = code !== 'not_connected' && code !== 'timeout' && typeof err?.message === 'string' && err.message !== '';
  const text = daemonSaid ? err.message.charAt(0).toUpperCase() + err.message.slice(1) : BREAK_ERRORS[code] ?? NOT_RUNNING_TEXT;
  const out = { ok: false, code, error: /[.!?]$/.test(text) ? text : `${text}.` };
  if (err?.field) out.field = err.field;
  return out;
}
