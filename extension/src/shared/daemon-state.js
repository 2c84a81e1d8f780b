// The daemon's state (docs/protocol.md, `welcome.state` and `state`) as the
// extension uses it: read leniently from the cached storage.local
// `daemonState`, with the documented defaults for anything missing, so a
// half-filled or older state still prompts sensibly. Pure functions.

import { BUILTIN_FEEDS } from './builtin-catalog.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_PROMPT = Object.freeze({
  pauseSeconds: 3,
  pauseStepSeconds: 1,
  pauseMaxSeconds: 10,
  defaultTimeboxMinutes: 15,
  timeboxesMinutes: Object.freeze([5, 15, 30]),
});

const MAX_TIMEBOX = 240;
const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
const isBox = (x) => Number.isInteger(x) && x >= 1 && x <= MAX_TIMEBOX;

/** Milliseconds of an RFC 3339 time, or null. */
export function parseTime(v) {
  if (typeof v !== 'string' || v === '') return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

/**
 * @typedef {{
 *   feeds: object[],
 *   prompt: {pauseSeconds: number, pauseStepSeconds: number, pauseMaxSeconds: number,
 *            defaultTimeboxMinutes: number, timeboxesMinutes: number[]},
 *   pausedUntil: number | null,
 *   habitOpensToday: number,
 *   dayStart: number | null,
 *   today: {feedOpens: number, habit: number, habitContinued: number, need: number, leftDuringPause: number},
 *   breaks: Break[],
 *   breaksUntil: number | null,
 *   breakReason: string,
 *   earlyEnd: {waitSeconds: number, leftThisWeek: number | null},
 * }} DaemonState
 *
 * @typedef {{
 *   index: number,        its place in the state's `breaks` (request rule ids follow it)
 *   key: string, name: string,
 *   start: number,        ms
 *   end: number | null,   ms; null: until the user ends it
 *   locked: boolean,
 *   sites: string[],      lower-case host names, whole sites
 * }} Break
 */

export const DEFAULT_EARLY_END_WAIT_SECONDS = 10;
/** A lower-case host name (no port). */
export const HOST_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/**
 * The state's `breaks`, read leniently: entries without a key or a valid
 * start, or with an end not after the start, are dropped; sites are
 * lower-cased host names (anything else is dropped), each once.
 */
export function normalizeBreaks(raw) {
  const out = [];
  if (!Array.isArray(raw)) return out;
  raw.forEach((b, index) => {
    if (!b || typeof b !== 'object' || Array.isArray(b)) return;
    if (typeof b.key !== 'string' || b.key === '' || b.key.length > 128) return;
    const start = parseTime(b.start);
    if (start === null) return;
    let end = null;
    if (b.end !== null && b.end !== undefined) {
      end = parseTime(b.end);
      if (end === null || end <= start) return;
    }
    const sites = [...new Set((Array.isArray(b.sites) ? b.sites : [])
      .filter((h) => typeof h === 'string')
      .map((h) => h.trim().toLowerCase().replace(/\.$/, ''))
      .filter((h) => h.length <= 253 && HOST_RE.test(h)))];
    out.push({
      index,
      key: b.key,
      name: typeof b.name === 'string' && b.name.trim() !== '' ? b.name : 'Break',
      start,
      end,
      locked: b.locked === true,
      sites,
    });
  });
  return out;
}

/**
 * Reads a cached state. Feeds are kept as sent (shared/feeds.js reads them
 * leniently itself), minus entries that are not objects; until a state has
 * arrived (nothing cached, or no feed list in it) they are the built-in
 * catalog, so a browser that never reached mindful still asks.
 * @param {unknown} raw
 * @returns {DaemonState}
 */
export function normalizeState(raw) {
  const s = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {};
  const p = s.prompt && typeof s.prompt === 'object' ? s.prompt : {};
  const ee = s.early_end && typeof s.early_end === 'object' ? s.early_end : {};
  const pauseSeconds = isNum(p.pause_seconds) && p.pause_seconds >= 0 ? p.pause_seconds : DEFAULT_PROMPT.pauseSeconds;
  const pauseStepSeconds = isNum(p.pause_step_seconds) && p.pause_step_seconds >= 0 ? p.pause_step_seconds : DEFAULT_PROMPT.pauseStepSeconds;
  const pauseMaxSeconds = isNum(p.pause_max_seconds) && p.pause_max_seconds >= 0 ? p.pause_max_seconds : DEFAULT_PROMPT.pauseMaxSeconds;
  let boxes = Array.isArray(p.timeboxes_minutes) ? [...new Set(p.timeboxes_minutes.filter(isBox))].sort((a, b) => a - b) : [];
  if (boxes.length === 0) boxes = [...DEFAULT_PROMPT.timeboxesMinutes];
  let dflt = isBox(p.default_timebox_minutes) ? p.default_timebox_minutes : DEFAULT_PROMPT.defaultTimeboxMinutes;
  if (!boxes.includes(dflt)) boxes = [...boxes, dflt].sort((a, b) => a - b);
  const habits = Number.isInteger(s.habit_opens_today) && s.habit_opens_today >= 0 ? s.habit_opens_today : 0;
  const t = s.today && typeof s.today === 'object' ? s.today : {};
  const count = (v) => (Number.isInteger(v) && v >= 0 ? v : 0);
  return {
    feeds: Array.isArray(s.feeds)
      ? s.feeds.filter((f) => f && typeof f === 'object')
      : BUILTIN_FEEDS.map((f) => ({ ...f, hosts: [...f.hosts], paths: [...f.paths] })),
    prompt: { pauseSeconds, pauseStepSeconds, pauseMaxSeconds, defaultTimeboxMinutes: dflt, timeboxesMinutes: boxes },
    pausedUntil: parseTime(s.prompts_paused_until),
    habitOpensToday: habits,
    dayStart: parseTime(s.day_start),
    today: {
      feedOpens: count(t.feed_opens), habit: count(t.habit), habitContinued: count(t.habit_continued),
      need: count(t.need), leftDuringPause: count(t.left_during_pause),
    },
    breaks: normalizeBreaks(s.breaks),
    breaksUntil: parseTime(s.breaks_until),
    breakReason: typeof s.break_reason === 'string' ? s.break_reason.trim() : '',
    earlyEnd: {
      waitSeconds: Number.isInteger(ee.wait_seconds) && ee.wait_seconds >= 0 ? ee.wait_seconds : DEFAULT_EARLY_END_WAIT_SECONDS,
      leftThisWeek: Number.isInteger(ee.left_this_week) && ee.left_this_week >= 0 ? ee.left_this_week : null,
    },
  };
}

/** Whether prompts are paused at `now`. */
export function promptsPaused(state, now) {
  return state.pausedUntil !== null && now < state.pausedUntil;
}

/**
 * Start of the user's current day at `now`: the state's day_start, moved on
 * by whole days once `now` is past day_start + 24 h. Null without a day_start.
 */
export function currentDayStart(dayStart, now) {
  if (dayStart === null || !isNum(dayStart)) return null;
  if (now < dayStart) return dayStart;
  return dayStart + Math.floor((now - dayStart) / DAY_MS) * DAY_MS;
}

/**
 * Habit opens today: the state's habit_opens_today (while its day lasts)
 * plus the habit answers given here since that state arrived (habitLog: their
 * times in ms), counting only those of the current day.
 */
export function habitOpensToday(state, habitLog, now) {
  const dayStart = currentDayStart(state.dayStart, now);
  const sameDay = dayStart === null || dayStart === state.dayStart;
  const base = sameDay ? state.habitOpensToday : 0;
  const local = (Array.isArray(habitLog) ? habitLog : []).filter((t) => isNum(t) && (dayStart === null || t >= dayStart)).length;
  return base + local;
}

/**
 * The breathing pause in seconds: pause_seconds plus pause_step_seconds per
 * habit open today, capped at pause_max_seconds (never below 0).
 */
export function pauseSeconds(prompt, habitOpens) {
  const grown = prompt.pauseSeconds + prompt.pauseStepSeconds * Math.max(0, habitOpens);
  return Math.max(0, Math.min(prompt.pauseMaxSeconds, grown));
}
