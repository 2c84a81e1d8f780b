// The rule sync (background/rulesync.js): its pure plan, checked the way the
// browser applies rules across the static, dynamic and session layers, and
// its thin shell over a fake declarativeNetRequest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DECIDED_OFFSET, GATE_ID, GATE_PRIORITY, LAUNCH_FEED_PRIORITY, LIFT_ID, LIFT_PRIORITY, RuleSync, gatedSites, launchRules, planRules,
} from '../src/background/rulesync.js';
import { GATE_KEY } from '../src/shared/break-url.js';
import { normalizeBreaks } from '../src/shared/daemon-state.js';
import { FakeDnr, sampleState } from './fakes.mjs';

const EXT = 'chrome-extension://lbcebegdchechefjbefnojockkfhgifo/';
const PROMPT = `${EXT}src/pages/prompt/prompt.html`;
const BREAK = `${EXT}src/pages/break/break.html`;
const NOW = Date.UTC(2026, 10, 23, 15, 0, 0);
const MIN = 60_000;
const feeds = sampleState().feeds;
const breaks = (list) => normalizeBreaks(list.map(([start, end, sites], i) => ({
  key: `b${i}`, name: 'B', start: new Date(start).toISOString(), end: end === null ? null : new Date(end).toISOString(), sites,
})));
const input = (patch = {}) => ({ feeds, grants: [], pausedUntil: null, now: NOW, promptUrl: PROMPT, breakUrl: BREAK, breaks: [], decided: true, ...patch });

/** The static launch ruleset (installer/extpack/launch.go) for the built-in catalog. */
const STATIC = [{
  id: 1, priority: GATE_PRIORITY, action: { type: 'redirect', redirect: { regexSubstitution: `${BREAK}?k=${GATE_KEY}&u=\\0` } },
  condition: { regexFilter: '^https?://.*$', requestDomains: gatedSites([], []), resourceTypes: ['main_frame'] },
}];

const hostOf = (url) => new URL(url).hostname;
const covers = (domains, host) => domains.some((d) => host === d || host.endsWith(`.${d}`));

/** Where a top-level navigation to url goes, given every layer's rules (highest priority wins; allow beats redirect). */
function outcome(layers, url) {
  const hits = layers.flat().filter((r) => {
    const c = r.condition;
    if (c.resourceTypes && !c.resourceTypes.includes('main_frame')) return false;
    if (!c.resourceTypes && c.requestDomains) return false; // subresource blocks
    if (c.requestDomains && !covers(c.requestDomains, hostOf(url))) return false;
    if (c.regexFilter && !new RegExp(c.regexFilter, c.isUrlFilterCaseSensitive === false ? 'i' : '').test(url)) return false;
    return true;
  });
  if (hits.length === 0) return 'site';
  hits.sort((a, b) => b.priority - a.priority || (a.action.type === 'allow' ? -1 : b.action.type === 'allow' ? 1 : 0));
  const r = hits[0];
  if (r.action.type === 'allow') return 'site';
  if (r.action.type === 'block') return 'blocked';
  const to = r.action.redirect.regexSubstitution.replace('\\0', () => url);
  if (to.startsWith(`${BREAK}?k=${GATE_KEY}&`)) return 'gate';
  if (to.startsWith(`${BREAK}?`)) return 'break';
  if (to.startsWith(`${PROMPT}?`)) return 'prompt';
  return to;
}

test('launch (not decided): feeds go to the prompt, every other page of a gated site waits on the gate, other sites load', () => {
  const plan = planRules(input({ decided: false, breaks: breaks([[NOW + 10 * MIN, NOW + 20 * MIN, ['news.example']]]) }));
  assert.equal(plan.session, null, 'the session rules are left alone until the background decided');
  const layers = [STATIC, plan.dynamic];
  assert.equal(outcome(layers, 'https://www.reddit.com/'), 'prompt');
  assert.equal(outcome(layers, 'http://x.com/home'), 'prompt');
  assert.equal(outcome(layers, 'https://www.reddit.com/r/golang/comments/1/x/'), 'gate');
  assert.equal(outcome(layers, 'https://news.example/today'), 'gate', 'a site of a scheduled break');
  assert.equal(outcome(layers, 'https://www.youtube.com/watch?v=1'), 'gate', 'the static gate covers the built-in catalog');
  assert.equal(outcome(layers, 'https://example.org/'), 'site');
  // After a crash that lost the dynamic rules, the static gate alone still holds every catalog site.
  assert.equal(outcome([STATIC], 'https://www.reddit.com/'), 'gate');
  assert.equal(outcome([STATIC], 'https://example.org/'), 'site');
  const gate = plan.dynamic.find((r) => r.id === GATE_ID);
  assert.equal(gate.action.redirect.regexSubstitution, `${BREAK}?k=${GATE_KEY}&u=\\0`);
  assert.ok(plan.dynamic.filter((r) => r.id !== GATE_ID).every((r) => r.priority === LAUNCH_FEED_PRIORITY && LAUNCH_FEED_PRIORITY > GATE_PRIORITY));
});

test('the launch layer ignores grants and the pause (fail closed); the prompt page lets such a feed through once decided', () => {
  const a = launchRules(input({ grants: [{ feedId: 'reddit', endsAt: NOW + MIN }], pausedUntil: NOW + 60 * MIN }));
  const b = launchRules(input());
  assert.deepEqual(a, b);
});

test('decided: the lift opens every gated site, and only the decided rules apply', () => {
  const bs = breaks([[NOW - MIN, NOW + 10 * MIN, ['x.com']], [NOW + 10 * MIN, NOW + 20 * MIN, ['news.example']]]);
  const plan = planRules(input({ breaks: bs, grants: [{ feedId: 'reddit', endsAt: NOW + MIN }] }));
  const layers = [STATIC, plan.dynamic, plan.session];
  assert.equal(outcome(layers, 'https://www.reddit.com/'), 'site', 'granted');
  assert.equal(outcome(layers, 'https://www.reddit.com/r/golang/comments/1/x/'), 'site', 'no gate hop after the decision');
  assert.equal(outcome(layers, 'https://news.example/today'), 'site', 'a break to come blocks nothing yet');
  assert.equal(outcome(layers, 'https://x.com/home'), 'break', 'a running break');
  assert.equal(outcome(layers, 'https://www.youtube.com/'), 'site', 'not a feed of this state');
  const lift = plan.session.find((r) => r.id === LIFT_ID);
  assert.equal(lift.priority, LIFT_PRIORITY);
  assert.ok(plan.session.filter((r) => r.id !== LIFT_ID).every((r) => r.priority > DECIDED_OFFSET));
  // A paused state: the feeds load, the break still holds.
  const paused = planRules(input({ breaks: bs, pausedUntil: NOW + MIN }));
  assert.equal(outcome([STATIC, paused.dynamic, paused.session], 'https://www.reddit.com/'), 'site');
  assert.equal(outcome([STATIC, paused.dynamic, paused.session], 'https://x.com/'), 'break');
});

test('a break that ended while the browser was closed blocks nothing once decided', () => {
  const bs = breaks([[NOW - 60 * MIN, NOW - MIN, ['x.com', 'news.example']]]);
  const plan = planRules(input({ breaks: bs }));
  assert.equal(outcome([STATIC, plan.dynamic], 'https://news.example/'), 'gate', 'at launch: the gate');
  assert.equal(outcome([STATIC, plan.dynamic, plan.session], 'https://news.example/'), 'site');
  assert.equal(outcome([STATIC, plan.dynamic, plan.session], 'https://x.com/some/page'), 'site');
});

test('gated sites: enabled feed hosts, break sites and the built-in catalog, each once', () => {
  const sites = gatedSites([{ id: 'm', hosts: ['Social.Example'], paths: ['/'] }, { id: 'off', enabled: false, hosts: ['off.example'] }],
    breaks([[NOW, null, ['news.example', 'bad host']]]));
  assert.ok(sites.includes('social.example') && sites.includes('news.example') && sites.includes('www.reddit.com'));
  assert.ok(!sites.includes('off.example'));
  assert.deepEqual(sites, [...new Set(sites)].sort());
});

test('RuleSync: session first, then dynamic; an unchanged set is not written again; knows a decided session', async () => {
  const dnr = new FakeDnr();
  const order = [];
  for (const m of ['updateSessionRules', 'updateDynamicRules']) {
    const f = dnr[m].bind(dnr);
    dnr[m] = (u) => {
      order.push(m);
      return f(u);
    };
  }
  const sync = new RuleSync({ dnr });
  assert.equal(await sync.decidedBefore(), false);
  assert.equal(await sync.apply(input({ decided: false })), true);
  assert.deepEqual(order, ['updateDynamicRules']);
  assert.deepEqual(dnr.session, []);
  await sync.apply(input({ decided: true }));
  assert.deepEqual(order, ['updateDynamicRules', 'updateSessionRules'], 'the launch layer did not change: not written');
  assert.equal(await sync.decidedBefore(), true);
  await sync.apply(input({ decided: true, breaks: breaks([[NOW + MIN, null, ['new.example']]]) }));
  assert.deepEqual(order.slice(2), ['updateSessionRules', 'updateDynamicRules']);
});

test('RuleSync: a regex the browser refuses is left out of both layers', async () => {
  const dnr = new FakeDnr();
  const bad = launchRules(input())[0].condition.regexFilter;
  dnr.unsupported.add(bad);
  const logs = [];
  const sync = new RuleSync({ dnr, log: (m) => logs.push(m) });
  assert.equal(await sync.apply(input()), true);
  assert.ok(![...dnr.dynamic, ...dnr.session].some((r) => r.condition.regexFilter === bad));
  assert.ok(dnr.dynamic.length > 1 && dnr.session.length > 1);
  assert.equal(logs.length, 1);
});
