import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENDED_KEEP_MS, GrantBook, newGrant } from '../src/background/grants.js';

const T0 = Date.UTC(2026, 10, 23, 15, 0, 0);
const MIN = 60_000;
const on = (...feeds) => new Set(feeds);

function book() {
  const b = new GrantBook();
  b.add(newGrant({ promptId: 'p1', feedId: 'reddit', now: T0, timeboxMinutes: 5 }), T0);
  return b;
}

test('a grant runs for its time box; its summary is what rules and content scripts need', () => {
  const b = book();
  assert.equal(b.grantFor('reddit', T0 + 5 * MIN - 1)?.promptId, 'p1');
  assert.equal(b.grantFor('reddit', T0 + 5 * MIN), undefined);
  assert.deepEqual(b.summary(T0), [{ feedId: 'reddit', endsAt: T0 + 5 * MIN }]);
  assert.equal(b.nextEnd(), T0 + 5 * MIN);
});

test('time counts only while the feed is the active tab of the focused window', () => {
  const b = book();
  // The prompt page's tab commits the feed 1 s after the grant and is in front.
  assert.deepEqual(b.setPresence({ activeFeed: 'reddit', feedsOnTabs: on('reddit') }, T0 + 1000), []);
  // 60 s later the user switches to another tab (reddit stays open behind it) for 30 s.
  b.setPresence({ activeFeed: null, feedsOnTabs: on('reddit') }, T0 + 61_000);
  b.setPresence({ activeFeed: 'reddit', feedsOnTabs: on('reddit') }, T0 + 91_000);
  // The time box ends with reddit in front: 60 s + (300 - 91) s.
  const { expired, feedTimes } = b.expire(T0 + 5 * MIN);
  assert.deepEqual(expired.map((g) => g.promptId), ['p1']);
  assert.deepEqual(feedTimes, [{ promptId: 'p1', feedId: 'reddit', ms: 60_000 + 209_000 }]);
  assert.deepEqual(b.active, []);
});

test('a visit that ends early (every tab left the feed) reports at once; coming back within the box reports again', () => {
  const b = book();
  b.setPresence({ activeFeed: 'reddit', feedsOnTabs: on('reddit') }, T0);
  const left = b.setPresence({ activeFeed: null, feedsOnTabs: on() }, T0 + 42_000);
  assert.deepEqual(left, [{ promptId: 'p1', feedId: 'reddit', ms: 42_000 }]);
  assert.ok(b.grantFor('reddit', T0 + 43_000), 'the grant itself lasts its whole time box');
  b.setPresence({ activeFeed: 'reddit', feedsOnTabs: on('reddit') }, T0 + 100_000);
  const end = b.expire(T0 + 5 * MIN + 30_000); // the alarm fired late: count up to the end of the box only
  assert.deepEqual(end.feedTimes, [{ promptId: 'p1', feedId: 'reddit', ms: 200_000 }]);
});

test('a grant never used reports 0 s once at its end; one fully reported adds nothing', () => {
  const b = book();
  assert.deepEqual(b.expire(T0 + 5 * MIN).feedTimes, [{ promptId: 'p1', feedId: 'reddit', ms: 0 }]);
  const c = book();
  c.setPresence({ activeFeed: 'reddit', feedsOnTabs: on('reddit') }, T0);
  c.setPresence({ activeFeed: null, feedsOnTabs: on() }, T0 + 10_000);
  assert.deepEqual(c.expire(T0 + 5 * MIN).feedTimes, []);
});

test('a new grant for the same feed ends the old one first', () => {
  const b = book();
  b.setPresence({ activeFeed: 'reddit', feedsOnTabs: on('reddit') }, T0);
  const out = b.add(newGrant({ promptId: 'p2', feedId: 'reddit', now: T0 + 20_000, timeboxMinutes: 15 }), T0 + 20_000);
  assert.deepEqual(out, [{ promptId: 'p1', feedId: 'reddit', ms: 20_000 }]);
  assert.deepEqual(b.active.map((g) => g.promptId), ['p2']);
  assert.equal(b.active[0].activeSince, T0 + 20_000, 'already in front: counting');
});

test('extend once: only an original prompt, only once', () => {
  const b = book();
  b.expire(T0 + 5 * MIN);
  assert.equal(b.canExtend('p1'), true);
  b.add(newGrant({ promptId: 'p2', rootId: 'p1', feedId: 'reddit', now: T0 + 6 * MIN, timeboxMinutes: 5 }), T0 + 6 * MIN);
  assert.equal(b.canExtend('p1'), false, 'already extended');
  b.expire(T0 + 11 * MIN);
  assert.equal(b.canExtend('p2'), false, 'an extension cannot be extended');
  assert.equal(b.canExtend('unknown'), false);
});

test('ended records are pruned after two days; the book round-trips through storage', () => {
  const b = book();
  b.setPresence({ activeFeed: 'reddit', feedsOnTabs: on('reddit') }, T0 + 1000);
  const restored = GrantBook.from(JSON.parse(JSON.stringify(b.toJSON())));
  assert.equal(restored.active[0].activeSince, T0 + 1000, 'a running segment survives a background restart');
  restored.expire(T0 + 5 * MIN);
  assert.equal(restored.ended.length, 1);
  restored.prune(T0 + 5 * MIN + ENDED_KEEP_MS);
  assert.equal(restored.ended.length, 0);
  assert.deepEqual(GrantBook.from({ active: [null, { feedId: 'x' }], ended: 'no' }).toJSON(), { active: [], ended: [] });
});
