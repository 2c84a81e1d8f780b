// Rule sync: the only code that touches declarativeNetRequest. The parts
// that need request rules hand it declarative input (the prompt guard: the
// feeds, grants and pause; the break enforcer: the breaks); it computes the
// whole rule set and applies it. docs/enforcement.md says why in full.
//
// Three layers, by priority (highest wins; allow beats redirect at equal):
//
//   decided   session rules, only once the background has decided in this
//             browser session (session rules vanish when the browser quits):
//     lift        id LIFT_ID, LIFT_PRIORITY, allow main_frame on every gated
//                 site: nothing of the launch layer applies any more
//     buildRules  rules.js (feed redirects, grant allows, running breaks),
//                 each priority + DECIDED_OFFSET
//   launch    dynamic rules, rewritten from the cached state (they survive a
//             quit; Chromium loses them when killed within ~10 s of a change):
//     feeds       id LAUNCH_FEED_BASE + i·PER_FEED + j, LAUNCH_FEED_PRIORITY:
//                 every enabled feed, grants and pause left out → prompt.html
//     gate        id GATE_ID, GATE_PRIORITY: main_frame on every gated site →
//                 break.html?k=GATE_KEY&u=<the whole URL>
//   static    the manifest's "launch" ruleset (installer/extpack/launch.go):
//             the same gate for the built-in catalog's hosts, always there,
//             even before the background ever ran or after a crash.
//
// Gated sites: every enabled feed's host and every site of a cached break.
// So from the first navigation after launch, a feed goes to the prompt page
// and any other page of a gated site waits on the gate (the break page)
// until the background has decided: the break page then shows the break, or
// sends the tab on, through the lift.

import { breakSubstitution, GATE_KEY } from '../shared/break-url.js';
import { BUILTIN_FEEDS } from '../shared/builtin-catalog.js';
import { isFeedId } from '../shared/feed-id.js';
import { feedRegexes } from '../shared/feeds.js';
import { HOST_RE } from '../shared/daemon-state.js';
import { BREAK_REGEX, PER_FEED, buildRules, redirectSubstitution, regexesOf } from './rules.js';

export const LAUNCH_FEED_BASE = 4_000_000;
export const GATE_ID = 5_000_000;
export const LIFT_ID = 6_000_000;
export const GATE_PRIORITY = 50;
export const LAUNCH_FEED_PRIORITY = 51;
export const LIFT_PRIORITY = 100;
export const DECIDED_OFFSET = 100;
/** Regex rules the launch layer may use (the decided layer has rules.js's MAX_REGEX_RULES). */
export const LAUNCH_MAX_REGEX = 100;

/** The hosts of a feed list's enabled feeds, lower case. */
function feedHosts(feeds) {
  const out = [];
  for (const f of Array.isArray(feeds) ? feeds : []) {
    if (!f || f.enabled === false || !Array.isArray(f.hosts)) continue;
    for (const h of f.hosts) if (typeof h === 'string') out.push(h.toLowerCase());
  }
  return out;
}

/**
 * The sites the gate covers: the enabled feeds' hosts, every site of a
 * cached break (running or to come), and the built-in catalog's hosts (the
 * static gate's, which the lift must cover too). Sorted, each once.
 */
export function gatedSites(feeds, breaks) {
  const all = [...feedHosts(feeds), ...feedHosts(BUILTIN_FEEDS)];
  for (const b of Array.isArray(breaks) ? breaks : []) all.push(...(Array.isArray(b?.sites) ? b.sites : []));
  return [...new Set(all.map((h) => String(h).toLowerCase().replace(/\.$/, '')).filter((h) => h.length <= 253 && HOST_RE.test(h)))].sort();
}

/** The launch layer: every enabled feed → prompt, every gated site → the gate. */
export function launchRules({ feeds, breaks = [], promptUrl, breakUrl, skip = new Set() }) {
  const out = [];
  let regexCount = 0;
  const list = Array.isArray(feeds) ? feeds : [];
  for (let i = 0; i < list.length && i < PER_FEED; i++) {
    const feed = list[i];
    if (!feed || feed.enabled === false || !isFeedId(feed.id)) continue;
    const regexes = feedRegexes(feed).slice(0, PER_FEED);
    for (let j = 0; j < regexes.length; j++) {
      if (skip.has(regexes[j])) continue;
      if (regexCount >= LAUNCH_MAX_REGEX) break;
      regexCount++;
      out.push({
        id: LAUNCH_FEED_BASE + i * PER_FEED + j,
        priority: LAUNCH_FEED_PRIORITY,
        action: { type: 'redirect', redirect: { regexSubstitution: redirectSubstitution(promptUrl, feed.id, feed.name) } },
        condition: { regexFilter: regexes[j], isUrlFilterCaseSensitive: false, resourceTypes: ['main_frame'] },
      });
    }
  }
  const sites = gatedSites(feeds, breaks);
  if (sites.length > 0 && typeof breakUrl === 'string' && breakUrl !== '') {
    out.push({
      id: GATE_ID,
      priority: GATE_PRIORITY,
      action: { type: 'redirect', redirect: { regexSubstitution: breakSubstitution(breakUrl, GATE_KEY) } },
      condition: { regexFilter: BREAK_REGEX, requestDomains: sites, resourceTypes: ['main_frame'] },
    });
  }
  return out.sort((a, b) => a.id - b.id);
}

/** The decided layer: the lift and rules.js's rules above it. */
export function decidedRules(input) {
  const sites = gatedSites(input.feeds, input.breaks);
  const out = sites.length > 0
    ? [{ id: LIFT_ID, priority: LIFT_PRIORITY, action: { type: 'allow' }, condition: { requestDomains: sites, resourceTypes: ['main_frame'] } }]
    : [];
  for (const r of buildRules(input)) out.push({ ...r, priority: r.priority + DECIDED_OFFSET });
  return out.sort((a, b) => a.id - b.id);
}

/**
 * The whole plan for the rules.
 * @param {Parameters<typeof buildRules>[0] & {decided: boolean}} input
 * @returns {{dynamic: object[], session: object[] | null}}  session null: leave the session rules alone (not decided yet)
 */
export function planRules(input) {
  return {
    dynamic: launchRules(input),
    session: input.decided ? decidedRules(input) : null,
  };
}

const sameRules = (a, b) => JSON.stringify([...a].sort((x, y) => x.id - y.id)) === JSON.stringify([...b].sort((x, y) => x.id - y.id));

/**
 * The thin shell over declarativeNetRequest. apply() replaces the session
 * rules (the decided layer) first and the dynamic rules (the launch layer)
 * second, each in one call, which the browser applies atomically; a set that
 * is already in place is not written again (fewer writes, and Chromium keeps
 * dynamic rules across a crash only once it has flushed them).
 */
export class RuleSync {
  #dnr;
  #log;
  #bad = new Set();

  /** @param {{dnr: object, log?: (msg: string, err?: unknown) => void}} deps */
  constructor({ dnr, log = () => {} }) {
    this.#dnr = dnr;
    this.#log = log;
  }

  /** Whether this browser session has decided already (its session rules hold the lift). */
  async decidedBefore() {
    try {
      const rules = (await this.#dnr.getSessionRules?.()) ?? [];
      return rules.some((r) => r.id === LIFT_ID);
    } catch {
      return false;
    }
  }

  async #replace(get, update, rules) {
    const existing = (await get()) ?? [];
    if (sameRules(existing, rules)) return;
    await update({ removeRuleIds: existing.map((r) => r.id), addRules: rules });
  }

  async #write(plan) {
    if (plan.session !== null) {
      await this.#replace(() => this.#dnr.getSessionRules(), (u) => this.#dnr.updateSessionRules(u), plan.session);
    }
    await this.#replace(() => this.#dnr.getDynamicRules(), (u) => this.#dnr.updateDynamicRules(u), plan.dynamic);
  }

  /**
   * Applies planRules(input). If the browser refuses a set, each regex is
   * checked (isRegexSupported), the refused ones are left out from then on,
   * and the plan is applied again. Resolves false if it still failed.
   */
  async apply(input) {
    const plan = () => planRules({ ...input, skip: this.#bad });
    const first = plan();
    try {
      await this.#write(first);
      return true;
    } catch (err) {
      this.#log('request rules refused; checking each regex', err);
    }
    if (typeof this.#dnr.isRegexSupported !== 'function') return false;
    for (const regex of regexesOf([...first.dynamic, ...(first.session ?? [])])) {
      try {
        const r = await this.#dnr.isRegexSupported({ regex, isCaseSensitive: false });
        if (!r?.isSupported) this.#bad.add(regex);
      } catch {
        this.#bad.add(regex);
      }
    }
    try {
      await this.#write(plan());
      return true;
    } catch (err) {
      this.#log('request rules refused again', err);
      return false;
    }
  }
}
