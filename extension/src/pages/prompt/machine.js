// The prompt page's screen states, as a pure reducer. The background keeps
// the real record (background/prompts.js); this only says what the page
// shows and which controls work.
//
//   pause ──pause_over──► choose ──need──► need ──sent──► (busy) ──answered──► answered
//     (buttons disabled)    │  habit / continue ───sent──►   │ failed: back, with an error
//                           │                                ▼
//   done ──extend (once)──► need (extending)             (Escape: habit after the pause)
//     └── leave ──sent──► answered
//
// `granted` (the feed was granted meanwhile, e.g. in another tab) and
// `paused` (prompts are paused) skip straight to answered.

export const PHASES = Object.freeze(['pause', 'choose', 'need', 'done', 'answered']);

/** @param {{mode: 'navigation' | 'overlay' | 'done'}} p */
export function initialModel({ mode }) {
  return { phase: mode === 'done' ? 'done' : 'pause', mode, remainingMs: null, canExtend: false, extending: false, busy: false, error: '' };
}

export function reduce(m, a) {
  switch (a.type) {
    case 'opened':
      if (m.phase === 'pause') return { ...m, remainingMs: Math.max(0, a.pauseMs), canExtend: false };
      if (m.phase === 'done') return { ...m, canExtend: Boolean(a.canExtend) };
      return m;
    case 'tick':
      return m.phase === 'pause' ? { ...m, remainingMs: Math.max(0, a.remainingMs) } : m;
    case 'pause_over':
      return m.phase === 'pause' ? { ...m, phase: 'choose', remainingMs: 0 } : m;
    case 'need':
      return m.phase === 'choose' && !m.busy ? { ...m, phase: 'need', error: '' } : m;
    case 'extend':
      return m.phase === 'done' && m.canExtend && !m.busy ? { ...m, phase: 'need', extending: true, error: '' } : m;
    case 'sent':
      return { ...m, busy: true, error: '' };
    case 'failed':
      return { ...m, busy: false, error: String(a.error ?? '') };
    case 'answered':
    case 'granted':
    case 'paused':
      return { ...m, phase: 'answered', busy: false };
    default:
      return m;
  }
}

/** Whether a control works in this state. */
export function enabled(m, control) {
  if (m.busy) return false;
  switch (control) {
    case 'habit':
    case 'need':
    case 'continue':
      return m.phase === 'choose';
    case 'open':
    case 'purpose':
    case 'timebox':
      return m.phase === 'need';
    case 'leave':
      return m.phase === 'done' || (m.phase === 'need' && m.extending);
    case 'extend':
      return m.phase === 'done' && m.canExtend;
    default:
      return false;
  }
}

/** What Escape does: habit once the pause is over, leave on a "done?" prompt, else nothing. */
export function escapeAction(m) {
  if (m.busy) return null;
  if (m.mode === 'done' || m.extending) return m.phase === 'done' || m.phase === 'need' ? 'leave' : null;
  if (m.phase === 'choose' || m.phase === 'need') return 'habit';
  return null;
}

/** The countdown text: whole seconds left, rounded up ("3", "2", "1"). */
export function countdownText(remainingMs) {
  if (remainingMs === null) return '';
  return String(Math.max(0, Math.ceil(remainingMs / 1000)));
}
