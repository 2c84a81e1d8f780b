// The popup's day at a glance, from the cached daemon state: today's feed
// opens by answer, and the break that runs or comes next. Pure functions.

import { currentDayStart, normalizeState } from './daemon-state.js';

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "16:00", or "Mon 16:00" when `t` is not within the next 24 hours of `now`. */
export function clock(t, now, locale = undefined) {
  const d = new Date(t);
  const hm = d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  return t - now < 24 * 3600 * 1000 ? hm : `${d.toLocaleDateString(locale, { weekday: 'short' })} ${hm}`;
}

/**
 * @param {unknown} rawState  storage.local daemonState
 * @param {number} now
 * @returns {{opens: string, brk: string, onBreak: boolean}}
 */
export function glance(rawState, now, locale = undefined) {
  const st = normalizeState(rawState);
  let opens = 'Today: no feed opens yet.';
  const sameDay = st.dayStart === null || currentDayStart(st.dayStart, now) === st.dayStart;
  const t = st.today;
  if (sameDay && t.feedOpens > 0) {
    const parts = [plural(t.habit + t.habitContinued, 'habit'), plural(t.need, 'need')];
    if (t.leftDuringPause > 0) parts.push(`${t.leftDuringPause} left during the pause`);
    opens = `Today: ${plural(t.feedOpens, 'feed open')} — ${parts.join(', ')}.`;
  }
  const running = st.breaks.filter((b) => b.start <= now && (b.end === null || now < b.end));
  if (running.length > 0) {
    const b = running[0];
    const until = b.end === null ? 'until you end it' : `until ${clock(b.end, now, locale)}`;
    return { opens, brk: `On a break: ${b.name}, ${until}.`, onBreak: true };
  }
  const next = st.breaks.filter((b) => b.start > now).sort((a, b) => a.start - b.start)[0];
  const brk = next ? `Next break: ${next.name} at ${clock(next.start, now, locale)}.` : '';
  return { opens, brk, onBreak: false };
}
