// Breaks from the cached schedule: which run, which sites they block, the
// next start or end and how to be awake for it, which tabs switch, and the
// break page's address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KEEPALIVE_MS, MIN_ALARM_MS, NOT_RUNNING_TEXT, PRECISE_MS, SOON_MS, activeBreaks, blockedSites, breakErrorReply, breakForUrl, breakSignature,
  hostBlocked, mayReturn, nextTransition, owners, tabsToSwitch, timerPlan,
  updatedTab,
} from '../src/background/breaks.js';
import { breakSubstitution, breakSwitchUrl, isBreakPage, parseBreakUrl } from '../src/shared/break-url.js';
import { normalizeBreaks, normalizeState } from '../src/shared/daemon-state.js';

const EXT = 'chrome-extension://lbcebegdchechefjbefnojockkfhgifo/';
const BREAK = `${EXT}src/pages/break/break.html`;
const PROMPT = `${EXT}src/pages/prompt/prompt.html`;
const T0 = Date.UTC(2026, 10, 23, 15, 0, 0);
const iso = (ms) => new Date(ms).toISOString();
const MIN = 60_000;

/** Wire breaks, as state.breaks carries them. */
function wire() {
  return [
    { key: '3@1764257400', name: 'Evening', start: iso(T0 + 10 * MIN), end: iso(T0 + 70 * MIN), locked: false, sites: ['reddit.com', 'www.reddit.com'] },
    { key: 'adhoc:7', name: 'Break mode', start: iso(T0 - 5 * MIN), end: null, locked: false, sites: ['x.com'] },
    { key: '4@1764300000', name: 'Locked', start: iso(T0 + 30 * MIN), end: iso(T0 + 40 * MIN), locked: true, sites: ['www.reddit.com', 'www.youtube.com'] },
  ];
}

test('normalizeBreaks reads the wire form leniently and keeps each entry\'s index', () => {
  const raw = [
    ...wire(),
    null,
    { key: '', start: iso(T0), end: null, sites: ['a.b'] },
    { key: 'bad-start', start: 'yesterday', end: null, sites: ['a.b'] },
    { key: 'backwards', start: iso(T0), end: iso(T0 - 1), sites: ['a.b'] },
    { key: 'odd-sites', start: iso(T0), end: 'not a time' },
    { key: 'clean', name: '', start: iso(T0), end: null, locked: 'yes', sites: ['WWW.Reddit.COM.', 'www.reddit.com', 'bad host', 'http://x.com/', 7, 'ok-host.example'] },
  ];
  const b = normalizeBreaks(raw);
  assert.deepEqual(b.map((x) => x.key), ['3@1764257400', 'adhoc:7', '4@1764300000', 'clean']);
  assert.deepEqual(b.map((x) => x.index), [0, 1, 2, 8], 'indexes in the state list, for rule ids');
  assert.equal(b[1].end, null, 'open-ended');
  assert.equal(b[0].start, T0 + 10 * MIN);
  assert.equal(b[2].locked, true);
  assert.deepEqual(b[3], { index: 8, key: 'clean', name: 'Break', start: T0, end: null, locked: false, sites: ['www.reddit.com', 'ok-host.example'] });
  assert.deepEqual(normalizeBreaks(undefined), []);

  const st = normalizeState({ breaks: wire(), breaks_until: iso(T0 + 7 * 24 * 60 * MIN), break_reason: '  I want my evenings back. ', early_end: { wait_seconds: 10, left_this_week: 2 } });
  assert.equal(st.breaks.length, 3);
  assert.equal(st.breakReason, 'I want my evenings back.');
  assert.deepEqual(st.earlyEnd, { waitSeconds: 10, leftThisWeek: 2 });
  assert.equal(st.breaksUntil, T0 + 7 * 24 * 60 * MIN);
  const empty = normalizeState({});
  assert.deepEqual([empty.breaks, empty.breakReason, empty.earlyEnd], [[], '', { waitSeconds: 10, leftThisWeek: null }]);
});

test('active breaks: from start (inclusive) to end (exclusive); open-ended ones run on', () => {
  const b = normalizeBreaks(wire());
  assert.deepEqual(activeBreaks(b, T0).map((x) => x.key), ['adhoc:7']);
  assert.deepEqual(activeBreaks(b, T0 + 10 * MIN - 1).map((x) => x.key), ['adhoc:7']);
  assert.deepEqual(activeBreaks(b, T0 + 10 * MIN).map((x) => x.key), ['3@1764257400', 'adhoc:7']);
  assert.deepEqual(activeBreaks(b, T0 + 35 * MIN).map((x) => x.key), ['3@1764257400', 'adhoc:7', '4@1764300000']);
  assert.deepEqual(activeBreaks(b, T0 + 70 * MIN).map((x) => x.key), ['adhoc:7'], 'the end is exclusive');
  assert.deepEqual(activeBreaks(b, T0 + 365 * 24 * 60 * MIN).map((x) => x.key), ['adhoc:7']);
});

test('overlapping breaks: the union of their sites, each site once, under the break that lasts longest', () => {
  const b = normalizeBreaks(wire());
  const now = T0 + 35 * MIN;
  assert.deepEqual(blockedSites(b, now), ['reddit.com', 'www.reddit.com', 'www.youtube.com', 'x.com']);
  const own = owners(activeBreaks(b, now)).map(({ brk, sites }) => [brk.key, sites]);
  // Evening (ends at 70) lasts longer than Locked (ends at 40): www.reddit.com stays under Evening.
  assert.deepEqual(own, [['3@1764257400', ['reddit.com', 'www.reddit.com']], ['adhoc:7', ['x.com']], ['4@1764300000', ['www.youtube.com']]]);
  assert.equal(hostBlocked(blockedSites(b, now), 'old.reddit.com'), true, 'a site covers its subdomains');
  assert.equal(hostBlocked(blockedSites(b, now), 'notreddit.com'), false);
  assert.equal(hostBlocked(blockedSites(b, now), ''), false);
});

test('breakForUrl: the page\'s own break if it still covers the URL, else the preferred one', () => {
  const active = activeBreaks(normalizeBreaks(wire()), T0 + 35 * MIN);
  assert.equal(breakForUrl(active, 'https://www.reddit.com/r/golang/', '4@1764300000').key, '4@1764300000');
  assert.equal(breakForUrl(active, 'https://www.reddit.com/r/golang/', 'gone').key, '3@1764257400');
  assert.equal(breakForUrl(active, 'http://old.reddit.com/', undefined).key, '3@1764257400');
  assert.equal(breakForUrl(active, 'https://example.org/', '3@1764257400'), null);
  assert.equal(breakForUrl(active, 'javascript:alert(1)', undefined), null);
});

test('the next transition is the nearest start or end after now; none when nothing is planned', () => {
  const b = normalizeBreaks(wire());
  assert.equal(nextTransition(b, T0), T0 + 10 * MIN);
  assert.equal(nextTransition(b, T0 + 10 * MIN), T0 + 30 * MIN, 'a transition at now is past');
  assert.equal(nextTransition(b, T0 + 35 * MIN), T0 + 40 * MIN);
  assert.equal(nextTransition(b, T0 + 45 * MIN), T0 + 70 * MIN);
  assert.equal(nextTransition(b, T0 + 70 * MIN), null, 'only the open-ended break is left');
  assert.equal(nextTransition([], T0), null);
});

test('timer plan: far away, an alarm and a wake-up before; within 90 s, a precise timer and keepalive', () => {
  const b = normalizeBreaks(wire());
  const far = timerPlan(b, T0);
  assert.deepEqual(far, { at: T0 + 10 * MIN, alarmAt: T0 + 10 * MIN, soonAt: T0 + 10 * MIN - SOON_MS, precise: false, delay: 10 * MIN - PRECISE_MS });
  const near = timerPlan(b, T0 + 10 * MIN - PRECISE_MS);
  assert.equal(near.precise, true);
  assert.equal(near.delay, PRECISE_MS);
  assert.equal(near.soonAt, T0 + 10 * MIN - SOON_MS, 'still 30 s ahead: the browser fires it on time');
  assert.equal(timerPlan(b, T0 + 10 * MIN - 80_000).soonAt, null, 'a wake-up alarm under 30 s ahead would fire late: none');
  const justOutside = timerPlan(b, T0 + 10 * MIN - PRECISE_MS - 1);
  assert.equal(justOutside.precise, false);
  assert.equal(justOutside.delay, 1, 'plan again as soon as it is within 90 s');
  const soon = timerPlan(b, T0 + 10 * MIN - 5_000);
  assert.deepEqual([soon.precise, soon.delay, soon.alarmAt], [true, 5_000, T0 + 10 * MIN]);
  assert.equal(timerPlan(b, T0 + 70 * MIN), null);
  // A wake-up every minute (the reconnect alarm) always lands inside the 90 s window at least 30 s ahead.
  assert.ok(PRECISE_MS - 60_000 >= MIN_ALARM_MS);
  assert.ok(KEEPALIVE_MS < 30_000, 'keepalive calls come before the 30 s idle timeout');
});

test('the break signature changes exactly when the running breaks change', () => {
  const b = normalizeBreaks(wire());
  assert.equal(breakSignature(b, T0), breakSignature(b, T0 + 10 * MIN - 1));
  assert.notEqual(breakSignature(b, T0), breakSignature(b, T0 + 10 * MIN));
  assert.equal(breakSignature(b, T0 + 10 * MIN), breakSignature(b, T0 + 29 * MIN));
  const ended = normalizeBreaks(wire().map((w) => (w.key === 'adhoc:7' ? { ...w, end: iso(T0) } : w)));
  assert.notEqual(breakSignature(b, T0), breakSignature(ended, T0), 'a break ended early');
});

test('tab switching picks tabs on a blocked site (and prompt pages for one), never the break page itself', () => {
  const active = activeBreaks(normalizeBreaks(wire()), T0 + 35 * MIN);
  const tabs = [
    { id: 1, url: 'https://www.reddit.com/r/golang/?sort=new#top' },
    { id: 2, url: 'https://example.org/' },
    { id: 3, url: `${BREAK}?k=adhoc%3A7&u=https://x.com/home` },
    { id: 4, url: 'about:blank', pendingUrl: 'https://x.com/home' },
    { id: 5, url: `${PROMPT}?f=reddit&u=https://old.reddit.com/r/all/` },
    { id: 6, url: `${PROMPT}?f=youtube&u=${encodeURIComponent('https://www.youtube.com/')}&mode=overlay` },
    { id: 7, url: 'chrome://newtab/' },
    { id: -1, url: 'https://www.reddit.com/' },
    { id: 8 },
  ];
  const sw = tabsToSwitch(tabs, active, { breakUrl: BREAK, promptUrl: PROMPT });
  assert.deepEqual(sw.map((s) => [s.tabId, s.key, s.from]), [
    [1, '3@1764257400', 'https://www.reddit.com/r/golang/?sort=new#top'],
    [4, 'adhoc:7', 'https://x.com/home'],
    [5, '3@1764257400', 'https://old.reddit.com/r/all/'],
    [6, '4@1764300000', 'https://www.youtube.com/'],
  ]);
  assert.equal(sw[0].url, breakSwitchUrl(BREAK, '3@1764257400', 'https://www.reddit.com/r/golang/?sort=new#top'));
  assert.deepEqual(tabsToSwitch(tabs, [], { breakUrl: BREAK }), [], 'no break, no switch');
});

test('break page addresses: a redirect (raw URL, an attempt) and a switch (encoded, marked s=1)', () => {
  const sub = breakSubstitution(BREAK, 'adhoc:7');
  assert.equal(sub, `${BREAK}?k=adhoc%3A7&u=\\0`);
  assert.ok(!sub.replace('\\0', '').includes('\\'), 'no other backslash for the regexSubstitution');
  for (const target of ['https://www.reddit.com/', 'http://www.reddit.com/r/golang/?sort=new&t=day#comments', 'https://x.com/home?k=evil&s=1&u=https://evil.example/']) {
    const href = sub.replace('\\0', target);
    assert.deepEqual(parseBreakUrl(href), { ok: true, key: 'adhoc:7', url: target, switched: false }, target);
  }
  const sw = breakSwitchUrl(BREAK, '3@1764257400', 'https://www.reddit.com/r/golang/?a=b&c=d');
  assert.deepEqual(parseBreakUrl(sw), { ok: true, key: '3@1764257400', url: 'https://www.reddit.com/r/golang/?a=b&c=d', switched: true });
  for (const bad of [BREAK, `${BREAK}?k=&u=https://a.b/`, `${BREAK}?k=x&u=javascript:alert(1)`, `${BREAK}?k=x&u=${encodeURIComponent('https://a.b/')}`,
    `${BREAK}?k=x&s=1&u=${encodeURIComponent('file:///etc/passwd')}`, `${BREAK}?k=%E0%A4%A&u=https://a.b/`]) {
    assert.deepEqual(parseBreakUrl(bad), { ok: false }, bad);
  }
  assert.equal(isBreakPage(sw, BREAK), true);
  assert.equal(isBreakPage(`${BREAK}x`, BREAK), false);
  assert.equal(isBreakPage('https://www.reddit.com/', BREAK), false);
});

test('the page may go back by itself only to a site or break the cache knows', () => {
  const b = normalizeBreaks(wire());
  assert.equal(mayReturn(b, 'adhoc:7', 'https://x.com/home'), true);
  assert.equal(mayReturn(b, 'gone', 'https://www.reddit.com/'), true, 'a site of a known break');
  assert.equal(mayReturn(b, 'adhoc:7', 'https://evil.example/'), true, 'a known key');
  assert.equal(mayReturn(b, 'made-up', 'https://evil.example/'), false);
  assert.equal(mayReturn(b, 'adhoc:7', 'javascript:alert(1)'), false);
});

test('the break page\'s reply when ending a break early fails: the daemon\'s words, else ours by code, one sentence', () => {
  assert.deepEqual(breakErrorReply(undefined), { ok: false, code: 'not_connected', error: NOT_RUNNING_TEXT });
  assert.deepEqual(breakErrorReply({ code: 'timeout', message: 'x' }), { ok: false, code: 'timeout', error: 'mindful did not answer in time. Try again.' });
  assert.deepEqual(breakErrorReply({ code: 'too_early', message: 'wait a little longer' }), { ok: false, code: 'too_early', error: 'Wait a little longer.' });
  assert.deepEqual(breakErrorReply({ code: 'invalid', message: '', field: 'reason' }), { ok: false, code: 'invalid', error: 'mindful did not accept that.', field: 'reason' });
  assert.deepEqual(breakErrorReply({ code: 'odd' }), { ok: false, code: 'odd', error: NOT_RUNNING_TEXT });
});

test('updatedTab: a load finished or an address changed is looked at again, with where the tab is now', () => {
  assert.equal(updatedTab(1, { title: 't' }, { url: 'https://x.com/' }), null);
  assert.equal(updatedTab(1, { status: 'loading' }, { url: 'https://x.com/' }), null);
  assert.equal(updatedTab(-1, { status: 'complete' }, { url: 'https://x.com/' }), null);
  assert.equal(updatedTab(1, null, { url: 'https://x.com/' }), null);
  assert.equal(updatedTab(1, { status: 'complete' }, { url: '' }), null);
  assert.deepEqual(updatedTab(1, { status: 'complete' }, { url: 'https://x.com/' }), { id: 1, url: 'https://x.com/' });
  assert.deepEqual(updatedTab(1, { url: 'https://x.com/a' }, undefined), { id: 1, url: 'https://x.com/a' });
  assert.deepEqual(updatedTab(1, { url: 'https://x.com/a' }, { url: 'https://x.com/a', pendingUrl: 'https://x.com/b' }), { id: 1, url: 'https://x.com/a', pendingUrl: 'https://x.com/b' });
});
