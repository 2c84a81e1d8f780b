// The daemon's state (docs/protocol.md, `welcome.state` and `state`) as the
// extension uses it: read leniently from the cached storage.local
// `daemonState`, with the documented defaults for anything missing, so a
// half-filled or older state still prompts sensibly. Pure functions.

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
 * }} DaemonState
 */

/**
 * Reads a cached state. Feeds are kept as sent (shared/feeds.js reads them
 * leniently itself), minus entries that are not objects.
 * @param {unknown} raw
 * @returns {DaemonState}
 */
export function normalizeState(raw) {
  const s = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {};
  const p = s.prompt && typeof s.prompt === 'object' ? s.prompt : {};
  const pauseSeconds = isNum(p.pause_seconds) && p.pause_seconds >= 0 ? p.pause_seconds : DEFAULT_PROMPT.pauseSeconds;
  const pauseStepSeconds = isNum(p.pause_step_seconds) && p.pause_step_seconds >= 0 ? p.pause_step_seconds : DEFAULT_PROMPT.pauseStepSeconds;
  const pauseMaxSeconds = isNum(p.pause_max_seconds) && p.pause_max_seconds >= 0 ? p.pause_max_seconds : DEFAULT_PROMPT.pauseMaxSeconds;
  let boxes = Array.isArray(p.timeboxes_minutes) ? [...new Set(p.timeboxes_minutes.filter(isBox))].sort((a, b) => a - b) : [];
  if (boxes.length === 0) boxes = [...DEFAULT_PROMPT.timeboxesMinutes];
  let dflt = isBox(p.default_timebox_minutes) ? p.default_timebox_minutes : DEFAULT_PROMPT.defaultTimeboxMinutes;
  if (!boxes.includes(dflt)) boxes = [...boxes, dflt].sort((a, b) => a - b);
  const habits = Number.isInteger(s.habit_opens_today) && s.habit_opens_today >= 0 ? s.habit_opens_today : 0;
  return {
    feeds: Array.isArray(s.feeds) ? s.feeds.filter((f) => f && typeof f === 'object') : [],
    prompt: { pauseSeconds, pauseStepSeconds, pauseMaxSeconds, defaultTimeboxMinutes: dflt, timeboxesMinutes: boxes },
    pausedUntil: parseTime(s.prompts_paused_until),
    habitOpensToday: habits,
    dayStart: parseTime(s.day_start),
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
