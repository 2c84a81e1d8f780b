// The popup's day at a glance.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { glance } from '../src/shared/glance.js';
import { sampleState } from './fakes.mjs';

const T0 = Date.parse('2026-11-23T15:00:00Z');
const DAY_START = '2026-11-23T04:00:00Z';

test('today: counts by answer from the state, zero on a new day', () => {
  const st = sampleState({ day_start: DAY_START, today: { feed_opens: 6, habit: 3, habit_continued: 1, need: 1, left_during_pause: 1 } });
  assert.equal(glance(st, T0, 'en-GB').opens, 'Today: 6 feed opens — 4 habits, 1 need, 1 left during the pause.');
  const one = sampleState({ day_start: DAY_START, today: { feed_opens: 1, habit: 0, habit_continued: 0, need: 1, left_during_pause: 0 } });
  assert.equal(glance(one, T0, 'en-GB').opens, 'Today: 1 feed open — 0 habits, 1 need.');
  assert.equal(glance(st, Date.parse('2026-11-24T05:00:00Z'), 'en-GB').opens, 'Today: no feed opens yet.', 'a new day began since the state');
  assert.equal(glance(null, T0).opens, 'Today: no feed opens yet.');
});

test('breaks: the running one with its end, else the next', () => {
  const brk = (patch) => ({ key: 'k', name: 'Focus', start: '2026-11-23T14:00:00Z', end: '2026-11-23T16:30:00Z', locked: false, sites: ['x.com'], ...patch });
  const on = glance(sampleState({ breaks: [brk()] }), T0, 'en-GB');
  assert.equal(on.onBreak, true);
  assert.match(on.brk, /^On a break: Focus, until \d\d:\d\d\.$/);
  assert.equal(glance(sampleState({ breaks: [brk({ end: null })] }), T0).brk, 'On a break: Focus, until you end it.');
  const next = glance(sampleState({ breaks: [brk({ key: 'n', name: 'Evening', start: '2026-11-23T20:00:00Z', end: '2026-11-23T22:00:00Z' })] }), T0, 'en-GB');
  assert.equal(next.onBreak, false);
  assert.match(next.brk, /^Next break: Evening at \d\d:\d\d\.$/);
  assert.match(glance(sampleState({ breaks: [brk({ start: '2026-11-27T20:00:00Z', end: '2026-11-27T22:00:00Z' })] }), T0, 'en-GB').brk, /^Next break: Focus at \w+ \d\d:\d\d\.$/);
  assert.equal(glance(sampleState(), T0).brk, '');
});
