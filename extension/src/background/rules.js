// The declarativeNetRequest dynamic rules for the cached state, as a pure
// function of (feeds, grants, pause, now):
//
//   feed i, regex j (feedRegexes(feed)[j], shared/feeds.js)
//     ├─ redirect  id 1_000_000 + i·1000 + j, priority 1:
//     │    main_frame, http and https → prompt.html?f=<feed id>&u=<the whole URL>
//     └─ allow     id 2_000_000 + i·1000 + j, priority 2, only while the feed
//          has a grant: the same regex, so a granted feed loads untouched
//
// i is the feed's index in state.feeds (disabled feeds keep their index, so
// enabling one never renumbers the others), so the same state always gives
// the same ids. Disabled feeds and feeds without hosts get no rules; while
// prompts are paused there are no rules at all. The extension owns every
// dynamic rule: applying a rule set replaces all of them.

import { feedRegexes } from '../shared/feeds.js';

export const REDIRECT_BASE = 1_000_000;
export const ALLOW_BASE = 2_000_000;
/** Ids per feed; a feed's regexes past this many are dropped (ids must stay unique). */
export const PER_FEED = 1000;
export const REDIRECT_PRIORITY = 1;
export const ALLOW_PRIORITY = 2;
/** Chromium allows 1000 regex rules per extension; keep well under it. */
export const MAX_REGEX_RULES = 900;

/**
 * The URL the redirect rules send a feed to: `<promptUrl>?f=<feed id>&u=` and
 * then the whole original URL (\0), unencoded, so it is everything after `u=`.
 */
export function redirectSubstitution(promptUrl, feedId) {
  return `${promptUrl}?f=${feedId}&u=\\0`;
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
 * }} input
 * @returns {object[]} rules sorted by id
 */
export function buildRules({ feeds, grants, pausedUntil, now, promptUrl, skip = new Set() }) {
  if (pausedUntil !== null && pausedUntil !== undefined && now < pausedUntil) return [];
  const granted = grantedFeedIds(grants, now);
  const redirects = [];
  const allows = [];
  const list = Array.isArray(feeds) ? feeds : [];
  let regexCount = 0;
  for (let i = 0; i < list.length && i < PER_FEED; i++) {
    const feed = list[i];
    if (!feed || feed.enabled === false || typeof feed.id !== 'string' || !/^[a-z0-9-]{1,32}$/.test(feed.id)) continue;
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
        action: { type: 'redirect', redirect: { regexSubstitution: redirectSubstitution(promptUrl, feed.id) } },
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
  return [...redirects, ...allows].sort((a, b) => a.id - b.id);
}

/** Every regexFilter in a rule list, once. */
export function regexesOf(rules) {
  return [...new Set(rules.map((r) => r.condition?.regexFilter).filter((x) => typeof x === 'string'))];
}
