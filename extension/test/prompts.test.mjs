import { test } from 'node:test';
import { BUILTIN_FEEDS } from '../src/shared/builtin-catalog.js';
import assert from 'node:assert/strict';
import { PAUSE_SLACK_MS, PromptBook } from '../src/background/prompts.js';
import {
  DAY_MS, currentDayStart, habitOpensToday, normalizeState, pauseSeconds, promptsPaused,
} from '../src/shared/daemon-state.js';
import { validateEvent } from '../src/shared/protocol.js';
import { sampleState, sequentialIds } from './fakes.mjs';

const T0 = Date.UTC(2026, 10, 23, 15, 0, 0); // 16:00 at +01:00, day started 04:00 +01:00 = 03:00Z
const state = normalizeState(sampleState());

// ------------------------------------------------------------ state & pause

test('normalizeState reads the documented fields and falls back to the documented defaults', () => {
  assert.deepEqual(state.prompt, { pauseSeconds: 3, pauseStepSeconds: 1, pauseMaxSeconds: 10, defaultTimeboxMinutes: 15, timeboxesMinutes: [5, 15, 30] });
  assert.equal(state.pausedUntil, null);
  assert.equal(state.dayStart, Date.UTC(2026, 10, 23, 3, 0, 0));
  const empty = normalizeState(undefined);
  assert.deepEqual(empty.prompt, state.prompt);
  // Before the first state: the built-in catalog (never shared with the caller).
  assert.deepEqual(empty.feeds.map((f) => f.id), BUILTIN_FEEDS.map((f) => f.id));
  assert.ok(empty.feeds.every((f) => f.enabled === true));
  empty.feeds[0].hosts.push('evil.example');
  assert.ok(!BUILTIN_FEEDS[0].hosts.includes('evil.example'));
  assert.deepEqual(normalizeState({ feeds: [] }).feeds, [], 'a state with no feeds has none');
  assert.equal(empty.habitOpensToday, 0);
  const odd = normalizeState({ prompt: { pause_seconds: -1, timeboxes_minutes: [30, 5, 'x', 999], default_timebox_minutes: 10 }, habit_opens_today: -3, prompts_paused_until: 'soon' });
  assert.equal(odd.prompt.pauseSeconds, 3);
  assert.deepEqual(odd.prompt.timeboxesMinutes, [5, 10, 30], 'the default is always offered');
  assert.equal(odd.habitOpensToday, 0);
  assert.equal(odd.pausedUntil, null);
  const paused = normalizeState(sampleState({ prompts_paused_until: '2026-11-23T16:30:00Z' }));
  assert.equal(promptsPaused(paused, Date.UTC(2026, 10, 23, 16, 29)), true);
  assert.equal(promptsPaused(paused, Date.UTC(2026, 10, 23, 16, 30)), false);
});

test('the breathing pause grows by pause_step_seconds per habit open today, up to pause_max_seconds', () => {
  const got = [0, 1, 2, 3, 6, 7, 8, 50].map((n) => pauseSeconds(state.prompt, n));
  assert.deepEqual(got, [3, 4, 5, 6, 9, 10, 10, 10]);
  assert.equal(pauseSeconds({ ...state.prompt, pauseStepSeconds: 0.5 }, 3), 4.5);
  assert.equal(pauseSeconds({ ...state.prompt, pauseMaxSeconds: 2 }, 0), 2, 'the cap holds even below the base');
});

test('habit opens today = the state count + local habit answers, reset once the day is over', () => {
  const s = normalizeState(sampleState({ habit_opens_today: 2 }));
  assert.equal(habitOpensToday(s, [], T0), 2);
  assert.equal(habitOpensToday(s, [T0 - 1000, T0 - 500], T0), 4);
  const nextDay = s.dayStart + DAY_MS;
  assert.equal(currentDayStart(s.dayStart, nextDay + 5), nextDay);
  assert.equal(habitOpensToday(s, [T0 - 1000], nextDay + 5), 0, 'a new day: yesterday counts for nothing');
  assert.equal(habitOpensToday(s, [T0 - 1000, nextDay + 1], nextDay + 5), 1);
  assert.equal(habitOpensToday(s, [], s.dayStart + 2 * DAY_MS + 1), 0);
});

// ------------------------------------------------------------------ prompts

function book() {
  return new PromptBook({ newId: sequentialIds() });
}

const info = (patch = {}) => ({
  tabId: 12, windowId: 1, feedId: 'reddit', domain: 'www.reddit.com', url: 'https://www.reddit.com/',
  via: 'navigation', mode: 'prompt', pauseMs: 3000, timeboxes: [5, 15, 30], defaultTimebox: 15, ...patch,
});

const ID1 = '00000000-0000-4000-8000-000000000001';

test('habit after the pause: an event exactly per protocol.md, counted as a habit, no grant', () => {
  const b = book();
  b.open(info(), T0);
  assert.deepEqual(b.answer(12, { answer: 'habit' }, T0 + 2000), { ok: false, error: 'pause' }, 'choices do not work during the pause');
  const r = b.answer(12, { answer: 'habit' }, T0 + 4100);
  assert.equal(r.ok, true);
  assert.deepEqual(r.event, {
    id: ID1, ts: '2026-11-23T15:00:04.100Z', type: 'prompt', tab_id: 12, window_id: 1, domain: 'www.reddit.com',
    feed_id: 'reddit', answer: 'habit', seconds_to_answer: 4.1, via: 'navigation',
  });
  assert.ok(validateEvent(r.event).ok);
  assert.equal(r.grant, null);
  assert.equal(r.habit, true);
  assert.equal(b.get(12), undefined, 'answered: no longer pending');
  assert.deepEqual(b.answer(12, { answer: 'habit' }, T0 + 5000), { ok: false, error: 'no_prompt' }, 'answered once only');
});

test('the pause end has a little slack for timers, no more', () => {
  const b = book();
  b.open(info(), T0);
  assert.equal(b.answer(12, { answer: 'habit' }, T0 + 3000 - PAUSE_SLACK_MS - 1).error, 'pause');
  assert.equal(b.answer(12, { answer: 'habit' }, T0 + 3000 - PAUSE_SLACK_MS).ok, true);
});

test('need: purpose and time box are required; the event carries them and a grant follows', () => {
  const b = book();
  b.open(info({ via: 'spa' }), T0);
  assert.equal(b.answer(12, { answer: 'need', purpose: '   ', timeboxMinutes: 5 }, T0 + 6400).error, 'purpose');
  assert.equal(b.answer(12, { answer: 'need', purpose: 'Work', timeboxMinutes: 7 }, T0 + 6400).error, 'timebox', 'only offered boxes');
  assert.equal(b.answer(12, { answer: 'need', purpose: 'Work' }, T0 + 6400).error, 'timebox');
  const r = b.answer(12, { answer: 'need', purpose: ' Reply to\na message ', timeboxMinutes: 5 }, T0 + 6400);
  assert.deepEqual(r.event, {
    id: ID1, ts: '2026-11-23T15:00:06.400Z', type: 'prompt', tab_id: 12, window_id: 1, domain: 'www.reddit.com',
    feed_id: 'reddit', answer: 'need', seconds_to_answer: 6.4, via: 'spa', purpose: 'Reply to a message', timebox_minutes: 5,
  });
  assert.ok(validateEvent(r.event).ok);
  assert.deepEqual(r.grant, { promptId: ID1, rootId: ID1, feedId: 'reddit', timeboxMinutes: 5 });
  assert.equal(r.habit, false);
});

test('continue anyway: habit_continued, the default time box, no purpose', () => {
  const b = book();
  b.open(info(), T0);
  const r = b.answer(12, { answer: 'habit_continued', purpose: 'ignored', timeboxMinutes: 30 }, T0 + 3500);
  assert.equal(r.event.answer, 'habit_continued');
  assert.ok(!('purpose' in r.event) && !('timebox_minutes' in r.event));
  assert.deepEqual(r.grant, { promptId: ID1, rootId: ID1, feedId: 'reddit', timeboxMinutes: 15 });
  assert.equal(r.habit, true, 'counts as a habit open');
});

test('closing or leaving during the pause is left_during_pause; after it, habit', () => {
  const b = book();
  b.open(info(), T0);
  const during = b.abandon(12, T0 + 1200);
  assert.equal(during.answer, 'left_during_pause');
  assert.equal(during.seconds_to_answer, 1.2);
  assert.ok(validateEvent(during).ok);
  assert.equal(b.abandon(12, T0 + 1300), null, 'recorded once');
  b.open(info({ tabId: 13 }), T0);
  const after = b.abandon(13, T0 + 9000);
  assert.equal(after.answer, 'habit');
  assert.equal(after.tab_id, 13);
  assert.equal(b.abandon(99, T0), null, 'no prompt, no event');
});

test('the same prompt reopened in the same tab (reload, re-attached overlay) resumes; another one replaces it', () => {
  const b = book();
  b.open(info(), T0);
  const again = b.open(info({ windowId: 2 }), T0 + 2000);
  assert.equal(again.resumed, true);
  assert.equal(again.pending.shownAt, T0, 'the pause is not restarted by a reload');
  assert.equal(again.abandoned, null);
  const other = b.open(info({ feedId: 'x', domain: 'x.com', url: 'https://x.com/home' }), T0 + 2500);
  assert.equal(other.resumed, false);
  assert.equal(other.abandoned.answer, 'left_during_pause');
  assert.equal(other.abandoned.feed_id, 'reddit');
  assert.equal(other.abandoned.window_id, 2);
  assert.equal(b.get(12).feedId, 'x');
});

test('done?: leave records nothing; extend once records need with extends; a second done offers only leave', () => {
  const b = book();
  b.open(info({ mode: 'done', doneFor: 'orig-1', canExtend: true, pauseMs: 0 }), T0);
  assert.equal(b.answer(12, { answer: 'habit' }, T0 + 10).error, 'bad_answer');
  const r = b.answer(12, { answer: 'need', purpose: 'Finish the thread', timeboxMinutes: 5 }, T0 + 4000);
  assert.deepEqual(r.event, {
    id: ID1, ts: '2026-11-23T15:00:04.000Z', type: 'prompt', tab_id: 12, window_id: 1, domain: 'www.reddit.com',
    feed_id: 'reddit', answer: 'need', seconds_to_answer: 4, via: 'navigation', purpose: 'Finish the thread',
    timebox_minutes: 5, extends: 'orig-1',
  });
  assert.ok(validateEvent(r.event).ok);
  assert.deepEqual(r.grant, { promptId: ID1, rootId: 'orig-1', feedId: 'reddit', timeboxMinutes: 5 });

  b.open(info({ mode: 'done', doneFor: ID1, canExtend: false, pauseMs: 0 }), T0 + 400_000);
  assert.equal(b.answer(12, { answer: 'need', purpose: 'more', timeboxMinutes: 5 }, T0 + 400_100).error, 'no_extend');
  const leave = b.answer(12, { answer: 'leave' }, T0 + 400_200);
  assert.deepEqual({ ok: leave.ok, event: leave.event, grant: leave.grant, leave: leave.leave }, { ok: true, event: null, grant: null, leave: true });
  b.open(info({ mode: 'done', doneFor: 'orig-2', canExtend: true, pauseMs: 0 }), T0);
  assert.equal(b.abandon(12, T0 + 10), null, 'a done prompt left unanswered records nothing');
});

test('a prompt answer is only what the prompt offers', () => {
  const b = book();
  b.open(info(), T0);
  for (const answer of ['leave', 'left_during_pause', 'maybe', undefined]) {
    assert.equal(b.answer(12, { answer }, T0 + 5000).error, 'bad_answer', String(answer));
  }
});

test('the book survives a round trip through storage; junk is dropped', () => {
  const b = book();
  b.open(info(), T0);
  const restored = PromptBook.from(JSON.parse(JSON.stringify(b.toJSON())), { newId: sequentialIds(5) });
  assert.equal(restored.get(12).shownAt, T0);
  assert.equal(restored.abandon(12, T0 + 500).answer, 'left_during_pause');
  assert.deepEqual(PromptBook.from({ 1: null, 2: { tabId: 'x' } }).all(), []);
});
