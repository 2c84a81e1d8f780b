// The break page's states, as a pure reducer. The background decides
// whether a break runs (break_info) and the daemon whether it may end early;
// this only says what the page shows and which controls work.
//
//   loading ──info on──► on ──info ended──► ended (the page goes back)
//
//   ending early (only while on, and not for a locked break):
//   closed ──end_open──► asking ──ticket──► waiting ──(now ≥ not_before)── ready
//     ▲                    │ refused          │ confirm: empty reason → error, stays
//     └──── cancel ────────┴──────────────────┤ confirm with a reason ─► sending
//                                             │        stop_failed ◄──────┤
//                                             │                 stopped ◄─┘
//                                             └─ (the new state arrives: ended)

export const EMPTY_REASON_TEXT = 'Say in a few words why you end this break early.';

export function initialModel() {
  return { status: 'loading', info: null, end: closedEnd() };
}

function closedEnd() {
  return { phase: 'closed', ticket: null, notBefore: null, error: '' };
}

export function reduce(m, a) {
  switch (a.type) {
    case 'info': {
      const info = a.info;
      if (!info || info.ok === false) return m;
      if (info.state === 'ended') return { ...m, status: 'ended', end: closedEnd() };
      if (info.state !== 'on') return m;
      const end = info.locked ? closedEnd() : m.end;
      return { ...m, status: 'on', info, end };
    }
    case 'broken':
      return { ...m, status: 'broken', end: closedEnd() };
    case 'end_open':
      if (!canEndEarly(m) || m.end.phase !== 'closed') return m;
      return { ...m, end: { ...closedEnd(), phase: 'asking' } };
    case 'ticket':
      if (m.end.phase !== 'asking') return m;
      return { ...m, end: { phase: 'waiting', ticket: a.ticket, notBefore: a.notBefore, error: '' } };
    case 'refused':
      if (m.end.phase !== 'asking') return m;
      return { ...m, end: { ...m.end, phase: 'refused', error: String(a.error ?? '') } };
    case 'confirm': {
      if (!confirmEnabled(m, a.now)) return m;
      if (String(a.reason ?? '').trim() === '') return { ...m, end: { ...m.end, error: EMPTY_REASON_TEXT } };
      return { ...m, end: { ...m.end, phase: 'sending', error: '' } };
    }
    case 'stop_failed':
      if (m.end.phase !== 'sending') return m;
      return { ...m, end: { ...m.end, phase: 'waiting', error: String(a.error ?? '') } };
    case 'stopped':
      if (m.end.phase !== 'sending') return m;
      return { ...m, end: { ...m.end, phase: 'stopped', error: '' } };
    case 'typing':
      return m.end.error && m.end.phase === 'waiting' ? { ...m, end: { ...m.end, error: '' } } : m;
    case 'cancel':
      if (m.end.phase === 'sending' || m.end.phase === 'stopped') return m;
      return { ...m, end: closedEnd() };
    default:
      return m;
  }
}

/** Whether "End this break early…" is offered: a running break that is not locked. */
export function canEndEarly(m) {
  return m.status === 'on' && Boolean(m.info) && !m.info.locked;
}

/** Whether the confirm button works: a ticket whose wait is over, nothing in flight. */
export function confirmEnabled(m, now) {
  return m.status === 'on' && m.end.phase === 'waiting' && typeof m.end.notBefore === 'number' && now >= m.end.notBefore;
}

/** The calm line under the reason field. */
export function waitText(m, now) {
  switch (m.end.phase) {
    case 'asking':
      return 'Asking mindful…';
    case 'waiting': {
      const left = Math.ceil((m.end.notBefore - now) / 1000);
      if (left > 0) return `Take a breath. You can end it in ${left} s.`;
      return 'You can end it now, if you still want to.';
    }
    case 'sending':
      return 'Ending the break…';
    case 'stopped':
      return 'The break is over. Taking you back…';
    default:
      return '';
  }
}

/** Time left until `end` (ms), e.g. "1 h 05 min", "12 min 30 s", "45 s"; open-ended breaks have none. */
export function timeLeftText(end, now) {
  if (end === null || end === undefined) return 'until you end it';
  const s = Math.max(0, Math.ceil((end - now) / 1000));
  const h = Math.floor(s / 3600);
  const min = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${String(min).padStart(2, '0')} min left`;
  if (min > 0) return `${min} min ${String(sec).padStart(2, '0')} s left`;
  return `${sec} s left`;
}

/** The reason line: the user's own words, or a gentle default. */
export function reasonText(reason) {
  const r = String(reason ?? '').trim();
  return r !== '' ? r : 'A little time away from the feeds, on purpose.';
}

/**
 * Whether the page may send the tab back by itself once its break is over:
 * it saw the break running, or the background knows the site or break. A
 * second automatic return to the same URL within `loopMs` (the site came
 * straight back here) is not made again.
 */
export function shouldReturn({ sawOn, returnOk, url, last, now, loopMs = 5000 }) {
  if (!sawOn && !returnOk) return false;
  if (last && last.url === url && typeof last.at === 'number' && now - last.at < loopMs) return false;
  return true;
}
