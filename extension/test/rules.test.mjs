import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALLOW_BASE, ALLOW_PRIORITY, PER_FEED, REDIRECT_BASE, REDIRECT_PRIORITY, buildRules, grantedFeedIds, redirectSubstitution,
} from '../src/background/rules.js';
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

test('one main_frame redirect rule per feed regex, to prompt.html?f=<feed>&u=<the whole URL>', () => {
  const rules = buildRules(input());
  const want = [
    ...feedRegexes(feeds[0]).map((re, j) => ({ id: REDIRECT_BASE + j, re, feed: 'reddit' })),
    ...feedRegexes(feeds[2]).map((re, j) => ({ id: REDIRECT_BASE + 2 * PER_FEED + j, re, feed: 'x' })),
  ];
  assert.deepEqual(rules.map((r) => r.id), want.map((w) => w.id));
  for (const [i, r] of rules.entries()) {
    assert.deepEqual(r, {
      id: want[i].id,
      priority: REDIRECT_PRIORITY,
      action: { type: 'redirect', redirect: { regexSubstitution: `${PROMPT}?f=${want[i].feed}&u=\\0` } },
      condition: { regexFilter: want[i].re, isUrlFilterCaseSensitive: false, resourceTypes: ['main_frame'] },
    });
  }
  assert.equal(redirectSubstitution(PROMPT, 'x'), `${PROMPT}?f=x&u=\\0`);
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
