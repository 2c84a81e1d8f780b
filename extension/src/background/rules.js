// The declarativeNetRequest dynamic rules for the cached state, as a pure
// function of (feeds, grants, pause, breaks, now):
//
//   feed i, regex j (feedRegexes(feed)[j], shared/feeds.js)
//     ├─ redirect  id 1_000_000 + i·1000 + j, priority 1:
//     │    main_frame, http and https → prompt.html?f=<feed id>&n=<name>&u=<the whole URL>
//     │    (shared/prompt-url.js promptSubstitution)
//     └─ allow     id 2_000_000 + i·1000 + j, priority 2, only while the feed
//          has a grant: the same regex, so a granted feed loads untouched
//
//   break b (its index in state.breaks), only while it runs, for the sites it
//   is shown under (breaks.js owners: each site once when breaks overlap):
//     ├─ redirect  id 3_000_000 + b·10,     priority 30: main_frame, http and
//     │    https (regexFilter ^https?://.*$ + requestDomains)
//     │    → break.html?k=<key>&u=<the whole URL>
//     ├─ block     id 3_000_000 + b·10 + 1, priority 30: every other resource
//     │    type (resourceTypes left out = all but main_frame)
//     └─ block     id 3_000_000 + b·10 + 2, priority 29: main_frame, the
//          fallback for sites where a redirect cannot apply. With
//          declarativeNetRequestWithHostAccess both need host permission for
//          the site (and, for subresources, for the page that asks), so today
//          it matters only if the plain declarativeNetRequest permission is
//          added, which lets block rules act without host permissions.
//   Their priority is above the grants' allow rules: no grant opens a site
//   during a break.
//
// i is the feed's index in state.feeds (disabled feeds keep their index, so
// enabling one never renumbers the others), so the same state always gives
// the same ids. Disabled feeds and feeds without hosts get no rules, nor do
// feeds whose hosts are all blocked by a running break; while prompts are
// paused there are no feed rules at all (break rules stay). The extension
// owns every dynamic rule: applying a rule set replaces all of them.

import { breakSubstitution } from '../shared/break-url.js';
import { isFeedId } from '../shared/feed-id.js';
import { feedRegexes } from '../shared/feeds.js';
import { promptSubstitution } from '../shared/prompt-url.js';
import { activeBreaks, hostBlocked, owners } from './breaks.js';

export const REDIRECT_BASE = 1_000_000;
export const ALLOW_BASE = 2_000_000;
/** Ids per feed; a feed's regexes past this many are dropped (ids must stay unique). */
export const PER_FEED = 1000;
export const REDIRECT_PRIORITY = 1;
export const ALLOW_PRIORITY = 2;
/** Chromium allows 1000 regex rules per extension; keep well under it. */
export const MAX_REGEX_RULES = 900;
export const BREAK_BASE = 3_000_000;
/** Ids per break; breaks past MAX_BREAKS in the state get no rules. */
export const PER_BREAK = 10;
export const MAX_BREAKS = 10_000;
export const BREAK_PRIORITY = 30;
export const BREAK_FALLBACK_PRIORITY = 29;
/** Every http(s) URL; requestDomains picks the sites. \0 in the substitution is the whole URL. */
export const BREAK_REGEX = '^https?://.*$';

/**
 * The rules of the breaks running at `now`.
 * @param {import('../shared/daemon-state.js').Break[]} breaks
 * @param {number} now
 * @param {string} breakUrl  runtime.getURL(BREAK_PATH)
 */
export function buildBreakRules(breaks, now, breakUrl) {
  const out = [];
  if (typeof breakUrl !== 'string' || breakUrl === '') return out;
  for (const { brk, sites } of owners(activeBreaks(breaks, now))) {
    if (!(brk.index >= 0 && brk.index < MAX_BREAKS)) continue;
    const id = BREAK_BASE + brk.index * PER_BREAK;
    out.push(
      {
        id,
        priority: BREAK_PRIORITY,
        action: { type: 'redirect', redirect: { regexSubstitution: breakSubstitution(breakUrl, brk.key) } },
        condition: { regexFilter: BREAK_REGEX, requestDomains: sites, resourceTypes: ['main_frame'] },
      },
      { id: id + 1, priority: BREAK_PRIORITY, action: { type: 'block' }, condition: { requestDomains: sites } },
      { id: id + 2, priority: BREAK_FALLBACK_PRIORITY, action: { type: 'block' }, condition: { requestDomains: sites, resourceTypes: ['main_frame'] } },
    );
  }
  return out;
}

/**
 * The URL the redirect rules send a feed to: `<promptUrl>?f=<feed id>&n=<name>&u=`
 * and then the whole original URL (\0), unencoded, so it is everything after `u=`.
 */
export function redirectSubstitution(promptUrl, feedId, name) {
  return promptSubstitution(promptUrl, feedId, name);
}

/** Feed ids with a grant that is still running at `now`. */
export function grantedFeedIds(grants, now) {
  const out = new Set();
  for (const g of Array.isArray(grants) ? grants : []) {
    if (g && typeof g.feedId === 'string' && typeof g.endsAt === 'number' && g.endsAt > now) out.add(g.feedId);
  }
  return out;
}

/**
 * @param {{
 *   feeds: object[],
 *   grants: {feedId: string, endsAt: number}[],
 *   pausedUntil: number | null,
 *   now: number,
 *   promptUrl: string,
 *   skip?: Set<string>,   regex strings the browser refused (isRegexSupported)
 *   breaks?: import('../shared/daemon-state.js').Break[],
 *   breakUrl?: string,
 * }} input
 * @returns {object[]} rules sorted by id
 */
export function buildRules({ feeds, grants, pausedUntil, now, promptUrl, skip = new Set(), breaks = [], breakUrl = '' }) {
  const breakRules = buildBreakRules(breaks, now, breakUrl);
  if (pausedUntil !== null && pausedUntil !== undefined && now < pausedUntil) return breakRules;
  const blocked = [...new Set(activeBreaks(breaks, now).flatMap((b) => b.sites))];
  const granted = grantedFeedIds(grants, now);
  const redirects = [];
  const allows = [];
  const list = Array.isArray(feeds) ? feeds : [];
  let regexCount = breakRules.filter((r) => r.condition.regexFilter).length;
  for (let i = 0; i < list.length && i < PER_FEED; i++) {
    const feed = list[i];
    if (!feed || feed.enabled === false || !isFeedId(feed.id)) continue;
    // A running break blocks all of this feed's hosts: its rules would never apply.
    const hosts = Array.isArray(feed.hosts) ? feed.hosts.filter((h) => typeof h === 'string') : [];
    if (blocked.length > 0 && hosts.length > 0 && hosts.every((h) => hostBlocked(blocked, h.toLowerCase()))) continue;
    const regexes = feedRegexes(feed).slice(0, PER_FEED);
    for (let j = 0; j < regexes.length; j++) {
      const regexFilter = regexes[j];
      if (skip.has(regexFilter)) continue;
      const perRule = granted.has(feed.id) ? 2 : 1;
      if (regexCount + perRule > MAX_REGEX_RULES) break;
      regexCount += perRule;
      const condition = { regexFilter, isUrlFilterCaseSensitive: false, resourceTypes: ['main_frame'] };
      redirects.push({
        id: REDIRECT_BASE + i * PER_FEED + j,
        priority: REDIRECT_PRIORITY,
        action: { type: 'redirect', redirect: { regexSubstitution: redirectSubstitution(promptUrl, feed.id, feed.name) } },
        condition,
      });
      if (granted.has(feed.id)) {
        allows.push({
          id: ALLOW_BASE + i * PER_FEED + j,
          priority: ALLOW_PRIORITY,
          action: { type: 'allow' },
          condition: { ...condition, resourceTypes: ['main_frame'] },
        });
      }
    }
  }
  return [...redirects, ...allows, ...breakRules].sort((a, b) => a.id - b.id);
}

/** Every regexFilter in a rule list, once. */
export function regexesOf(rules) {
  return [...new Set(rules.map((r) => r.condition?.regexFilter).filter((x) => typeof x === 'string'))];
}
