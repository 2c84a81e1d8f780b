import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALLOW_BASE, ALLOW_PRIORITY, BREAK_BASE, BREAK_PRIORITY, BREAK_REGEX, PER_BREAK, PER_FEED, REDIRECT_BASE, REDIRECT_PRIORITY,
  buildBreakRules, buildRules, grantedFeedIds, redirectSubstitution,
} from '../src/background/rules.js';
import { normalizeBreaks } from '../src/shared/daemon-state.js';
import { feedRegexes } from '../src/shared/feeds.js';
import { sampleState } from './fakes.mjs';

const PROMPT = 'chrome-extension://lbcebegdchechefjbefnojockkfhgifo/src/pages/prompt/prompt.html';
const NOW = Date.UTC(2026, 10, 23, 15, 0, 0);
const feeds = sampleState().feeds;
const input = (patch = {}) => ({ feeds, grants: [], pausedUntil: null, now: NOW, promptUrl: PROMPT, ...patch });

/** Applies rules the way the browser does: highest priority wins, allow beats redirect at equal priority. */
function outcome(rules, url) {
  const hits = rules.filter((r) => new RegExp(r.condition.regexFilter, r.condition.isUrlFilterCaseSensitive ? '' : 'i').test(url));
  if (hits.length === 0) return { type: 'none' };
  hits.sort((a, b) => b.priority - a.priority || (a.action.type === 'allow' ? -1 : 1));
  const r = hits[0];
  if (r.action.type === 'allow') return { type: 'allow' };
  // \0 is the whole match; the regexes match whole URLs.
  return { type: 'redirect', to: r.action.redirect.regexSubstitution.replace('\\0', () => url) };
}

test('one main_frame redirect rule per feed regex, to prompt.html?f=<feed>&n=<name>&u=<the whole URL>', () => {
  const rules = buildRules(input());
  const want = [
    ...feedRegexes(feeds[0]).map((re, j) => ({ id: REDIRECT_BASE + j, re, feed: 'reddit', n: encodeURIComponent(feeds[0].name) })),
    ...feedRegexes(feeds[2]).map((re, j) => ({ id: REDIRECT_BASE + 2 * PER_FEED + j, re, feed: 'x', n: encodeURIComponent(feeds[2].name) })),
  ];
  assert.deepEqual(rules.map((r) => r.id), want.map((w) => w.id));
  for (const [i, r] of rules.entries()) {
    assert.deepEqual(r, {
      id: want[i].id,
      priority: REDIRECT_PRIORITY,
      action: { type: 'redirect', redirect: { regexSubstitution: `${PROMPT}?f=${want[i].feed}&n=${want[i].n}&u=\\0` } },
      condition: { regexFilter: want[i].re, isUrlFilterCaseSensitive: false, resourceTypes: ['main_frame'] },
    });
  }
  assert.equal(redirectSubstitution(PROMPT, 'x'), `${PROMPT}?f=x&u=\\0`, 'no name, no n');
  assert.equal(redirectSubstitution(PROMPT, 'x', 'X (Twitter)'), `${PROMPT}?f=x&n=X%20(Twitter)&u=\\0`);
});

test('redirects catch http and https, any case, keep query and fragment, and leave other pages alone', () => {
  const rules = buildRules(input());
  for (const url of ['https://www.reddit.com/', 'http://www.reddit.com/', 'https://reddit.com/r/golang/?sort=new#top', 'HTTPS://WWW.REDDIT.COM/R/Golang', 'http://x.com/home']) {
    const o = outcome(rules, url);
    assert.equal(o.type, 'redirect', url);
    assert.ok(o.to.startsWith(`${PROMPT}?f=`), o.to);
    assert.equal(o.to.slice(o.to.indexOf('&u=') + 3), url, 'the target is everything after u=');
  }
  for (const url of ['https://www.reddit.com/r/golang/comments/abc/title/', 'https://www.reddit.com/message/inbox',
    'https://x.com/messages', 'https://www.youtube.com/', 'https://example.org/']) {
    assert.equal(outcome(rules, url).type, 'none', url);
  }
});

test('disabled feeds and feeds without hosts get no rules; the ids of the others do not move', () => {
  const withMastodon = [...feeds, { id: 'mastodon', name: 'Mastodon', hosts: [], paths: ['/home'], enabled: true }];
  const a = buildRules(input({ feeds: withMastodon }));
  assert.ok(!a.some((r) => r.action.redirect?.regexSubstitution.includes('f=youtube')));
  assert.ok(!a.some((r) => r.action.redirect?.regexSubstitution.includes('f=mastodon')));
  const enabled = feeds.map((f) => ({ ...f, enabled: true }));
  const b = buildRules(input({ feeds: enabled }));
  const xIds = (rules) => rules.filter((r) => r.action.redirect?.regexSubstitution.includes('f=x&')).map((r) => r.id);
  assert.deepEqual(xIds(a), xIds(b), 'enabling youtube does not renumber x');
  assert.ok(b.some((r) => r.id === REDIRECT_BASE + PER_FEED), 'youtube, feed 1, gets its own ids');
});

test('a running grant adds allow rules at a higher priority for the same regexes; an ended one does not', () => {
  const grants = [{ feedId: 'reddit', endsAt: NOW + 60_000 }, { feedId: 'x', endsAt: NOW }];
  const rules = buildRules(input({ grants }));
  const allows = rules.filter((r) => r.action.type === 'allow');
  assert.deepEqual(allows.map((r) => r.id), feedRegexes(feeds[0]).map((_, j) => ALLOW_BASE + j));
  for (const r of allows) {
    assert.equal(r.priority, ALLOW_PRIORITY);
    assert.ok(ALLOW_PRIORITY > REDIRECT_PRIORITY);
    assert.deepEqual(r.condition.resourceTypes, ['main_frame']);
  }
  assert.equal(outcome(rules, 'https://www.reddit.com/').type, 'allow');
  assert.equal(outcome(rules, 'http://reddit.com/r/golang').type, 'allow');
  assert.equal(outcome(rules, 'https://x.com/home').type, 'redirect', 'a grant that ended at now no longer allows');
  assert.deepEqual([...grantedFeedIds(grants, NOW)], ['reddit']);
});

test('while prompts are paused there are no rules at all; after the pause they come back', () => {
  assert.deepEqual(buildRules(input({ pausedUntil: NOW + 1 })), []);
  assert.ok(buildRules(input({ pausedUntil: NOW })).length > 0);
  assert.ok(buildRules(input({ pausedUntil: NOW - 1000 })).length > 0);
});

test('ids are deterministic and unique, and the same input gives the same rules', () => {
  const grants = [{ feedId: 'reddit', endsAt: NOW + 1 }, { feedId: 'x', endsAt: NOW + 1 }];
  const a = buildRules(input({ grants }));
  const b = buildRules(input({ grants: structuredClone(grants) }));
  assert.deepEqual(a, b);
  assert.equal(new Set(a.map((r) => r.id)).size, a.length);
  for (const r of a) assert.ok(Number.isInteger(r.id) && r.id >= 1 && r.id < 2 ** 31);
});

test('regexes the browser refused are skipped; malformed feeds are ignored', () => {
  const skip = new Set([feedRegexes(feeds[0])[0]]);
  const rules = buildRules(input({ skip }));
  assert.ok(!rules.some((r) => r.condition.regexFilter === [...skip][0]));
  assert.ok(rules.length > 0);
  assert.deepEqual(buildRules(input({ feeds: [null, 7, { id: 'BAD ID', hosts: ['a.b'], paths: ['/'] }, { hosts: ['a.b'], paths: ['/'] }] })), []);
  assert.deepEqual(buildRules(input({ feeds: undefined })), []);
});

// ------------------------------------------------------------------ breaks

const BREAK = 'chrome-extension://lbcebegdchechefjbefnojockkfhgifo/src/pages/break/break.html';
const MIN = 60_000;
const iso = (ms) => new Date(ms).toISOString();
const breaks = normalizeBreaks([
  { key: 'adhoc:1', name: 'Focus', start: iso(NOW - MIN), end: iso(NOW + 60 * MIN), locked: false, sites: ['reddit.com', 'www.reddit.com', 'x.com'] },
  { key: '2@1', name: 'Later', start: iso(NOW + 30 * MIN), end: iso(NOW + 90 * MIN), locked: true, sites: ['www.youtube.com', 'www.reddit.com'] },
  { key: 'adhoc:2', name: 'Break mode', start: iso(NOW - 10 * MIN), end: null, locked: false, sites: ['x.com', 'bsky.app'] },
]);
const breakInput = (patch = {}) => input({ breaks, breakUrl: BREAK, ...patch });

/**
 * Applies rules to one request the way the browser does: rules whose
 * condition matches (regexFilter, requestDomains with subdomains,
 * resourceTypes, default "all but main_frame"), highest priority wins, allow
 * beats block beats redirect at equal priority.
 */
function requestOutcome(rules, url, type = 'main_frame') {
  const host = new URL(url).hostname;
  const hits = rules.filter((r) => {
    const c = r.condition;
    if (c.regexFilter && !new RegExp(c.regexFilter, c.isUrlFilterCaseSensitive ? '' : 'i').test(url)) return false;
    if (c.requestDomains && !c.requestDomains.some((d) => host === d || host.endsWith(`.${d}`))) return false;
    const types = c.resourceTypes ?? ['sub_frame', 'stylesheet', 'script', 'image', 'font', 'object', 'xmlhttprequest', 'ping', 'media', 'websocket', 'other'];
    return types.includes(type);
  });
  if (hits.length === 0) return { type: 'none' };
  const rank = { allow: 0, block: 1, redirect: 2 };
  hits.sort((a, b) => b.priority - a.priority || rank[a.action.type] - rank[b.action.type]);
  const r = hits[0];
  if (r.action.type !== 'redirect') return { type: r.action.type, id: r.id };
  return { type: 'redirect', id: r.id, to: r.action.redirect.regexSubstitution.replace('\\0', () => url) };
}

test('a running break: redirect main_frame (http and https) to break.html?k=<key>&u=<URL>, block everything else', () => {
  const rules = buildBreakRules(breaks, NOW, BREAK);
  assert.deepEqual(rules.map((r) => r.id), [BREAK_BASE, BREAK_BASE + 1, BREAK_BASE + 2, BREAK_BASE + 2 * PER_BREAK, BREAK_BASE + 2 * PER_BREAK + 1, BREAK_BASE + 2 * PER_BREAK + 2]);
  const [redirect, block, fallback] = rules;
  assert.deepEqual(redirect, {
    id: BREAK_BASE,
    priority: BREAK_PRIORITY,
    action: { type: 'redirect', redirect: { regexSubstitution: `${BREAK}?k=adhoc%3A1&u=\\0` } },
    condition: { regexFilter: BREAK_REGEX, requestDomains: ['reddit.com', 'www.reddit.com'], resourceTypes: ['main_frame'] },
  });
  assert.deepEqual(block, { id: BREAK_BASE + 1, priority: BREAK_PRIORITY, action: { type: 'block' }, condition: { requestDomains: ['reddit.com', 'www.reddit.com'] } });
  assert.equal(block.condition.resourceTypes, undefined, 'no resourceTypes: every type but main_frame');
  assert.deepEqual(fallback.condition.resourceTypes, ['main_frame']);
  assert.ok(fallback.priority < BREAK_PRIORITY && fallback.priority > ALLOW_PRIORITY);
  // Break mode (open-ended, index 2) gets x.com: it lasts longer than Focus.
  assert.deepEqual(rules[3].condition.requestDomains, ['bsky.app', 'x.com']);
  assert.equal(rules[3].action.redirect.regexSubstitution, `${BREAK}?k=adhoc%3A2&u=\\0`);

  for (const url of ['https://www.reddit.com/r/golang/?sort=new', 'http://www.reddit.com/message/inbox', 'https://old.reddit.com/', 'HTTPS://REDDIT.COM/']) {
    const o = requestOutcome(rules, url);
    assert.equal(o.type, 'redirect', url);
    assert.equal(o.to, `${BREAK}?k=adhoc%3A1&u=${url}`);
  }
  assert.equal(requestOutcome(rules, 'https://x.com/home').to, `${BREAK}?k=adhoc%3A2&u=https://x.com/home`);
  for (const type of ['sub_frame', 'script', 'image', 'xmlhttprequest', 'media', 'websocket']) {
    assert.equal(requestOutcome(rules, 'https://www.reddit.com/api/x', type).type, 'block', type);
  }
  assert.equal(requestOutcome(rules, 'https://example.org/').type, 'none');
  assert.equal(requestOutcome(rules, 'https://www.youtube.com/').type, 'none', 'the later break has not started');
});

test('break rules beat grants and feed redirects, and drop the feed rules of fully blocked feeds', () => {
  const grants = [{ feedId: 'reddit', endsAt: NOW + 60_000 }];
  assert.equal(outcome(buildRules(input({ grants })), 'https://www.reddit.com/').type, 'allow', 'without a break the grant opens reddit');
  const rules = buildRules(breakInput({ grants }));
  assert.ok(BREAK_PRIORITY > ALLOW_PRIORITY && BREAK_PRIORITY > REDIRECT_PRIORITY);
  const o = requestOutcome(rules, 'https://www.reddit.com/');
  assert.equal(o.type, 'redirect');
  assert.ok(o.to.startsWith(`${BREAK}?k=`), 'the break page, not the prompt and not the grant');
  // reddit and x are fully covered: no feed rules for them (their regexes would never apply).
  assert.ok(!rules.some((r) => r.id >= REDIRECT_BASE && r.id < BREAK_BASE), 'no feed rules left: every enabled feed is blocked');
  // A feed only partly blocked keeps its rules.
  const partial = normalizeBreaks([{ key: 'k', name: 'n', start: iso(NOW - 1), end: null, sites: ['www.reddit.com'] }]);
  const kept = buildRules(input({ breaks: partial, breakUrl: BREAK }));
  assert.ok(kept.some((r) => r.id === REDIRECT_BASE), 'reddit.com is not blocked, so reddit keeps its prompt');
  assert.equal(requestOutcome(kept, 'https://www.reddit.com/').to.startsWith(BREAK), true);
});

test('break rules only while a break runs, during a prompt pause too; open-ended ones stay', () => {
  assert.deepEqual(buildBreakRules(breaks, NOW - 20 * MIN, BREAK), [], 'nothing runs yet');
  assert.equal(buildBreakRules(breaks, NOW - 10 * MIN, BREAK).length, 3, 'break mode has started');
  const paused = buildRules(breakInput({ pausedUntil: NOW + MIN }));
  assert.deepEqual(paused.map((r) => r.id), buildBreakRules(breaks, NOW, BREAK).map((r) => r.id), 'a prompt pause drops feed rules only');
  const later = buildBreakRules(breaks, NOW + 365 * 24 * 60 * MIN, BREAK);
  assert.deepEqual(later.map((r) => r.id), [BREAK_BASE + 2 * PER_BREAK, BREAK_BASE + 2 * PER_BREAK + 1, BREAK_BASE + 2 * PER_BREAK + 2]);
  assert.deepEqual(later[0].condition.requestDomains, ['bsky.app', 'x.com'], 'x.com stays with the open-ended break');
  assert.deepEqual(buildBreakRules(breaks, NOW, ''), [], 'no break page, no break rules');
});

test('several overlapping breaks block the union of their sites, each site in one rule', () => {
  const at = NOW + 45 * MIN; // all three run
  const rules = buildBreakRules(breaks, at, BREAK);
  const redirects = rules.filter((r) => r.action.type === 'redirect');
  const all = redirects.flatMap((r) => r.condition.requestDomains);
  assert.deepEqual([...all].sort(), ['bsky.app', 'reddit.com', 'www.reddit.com', 'www.youtube.com', 'x.com']);
  assert.equal(new Set(all).size, all.length, 'each site once');
  assert.deepEqual(redirects.map((r) => r.id), [BREAK_BASE, BREAK_BASE + PER_BREAK, BREAK_BASE + 2 * PER_BREAK]);
  assert.equal(requestOutcome(rules, 'https://www.youtube.com/watch?v=1').to, `${BREAK}?k=2%401&u=https://www.youtube.com/watch?v=1`);
  // The same state gives the same rules; ids are unique.
  assert.deepEqual(buildBreakRules(structuredClone(breaks), at, BREAK), rules);
  const full = buildRules(input({ breaks, breakUrl: BREAK, now: at }));
  assert.equal(new Set(full.map((r) => r.id)).size, full.length);
  const none = normalizeBreaks([{ key: 'empty', name: 'n', start: iso(NOW - 1), end: null, sites: [] }]);
  assert.deepEqual(buildBreakRules(none, NOW, BREAK), [], 'a break without sites blocks nothing');
});
