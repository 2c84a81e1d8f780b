// Pending prompts, one per tab, and the `prompt` events their answers make.
// Pure: times are passed in, ids come from an injected newId.
//
//   open ──► pause (pauseMs) ──► choose ─┬─ habit            → event, back or close
//     │                                  ├─ habit_continued  → event, grant (default box)
//     │                                  └─ need + purpose   → event, grant (chosen box)
//     └─ tab closed / left / overlay gone: during the pause → left_during_pause
//                                          after it         → habit
//
//   open "done" (a time box ended) ─┬─ leave               → no event
//                                   └─ extend (once) + need → event with `extends`
//
// The book lives in storage.session (keyed by tab id) so an answer or a
// closed tab is recorded even after the background restarted.

import { cleanPurpose, eventSeconds, promptEvent, stamp } from '../shared/protocol.js';

/** An answer this much earlier than the pause's end still counts (clock and timer slack). */
export const PAUSE_SLACK_MS = 250;
export const MODES = Object.freeze(['prompt', 'done']);

/**
 * @typedef {{
 *   tabId: number, windowId: number, feedId: string, domain: string, url: string,
 *   via: 'navigation' | 'spa', mode: 'prompt' | 'done', shownAt: number, pauseMs: number,
 *   timeboxes: number[], defaultTimebox: number, doneFor?: string, canExtend?: boolean,
 * }} Pending
 */

export class PromptBook {
  /** @type {Record<string, Pending>} */
  pending = {};
  #newId;

  constructor({ newId = () => crypto.randomUUID() } = {}) {
    this.#newId = newId;
  }

  static from(raw, deps) {
    const b = new PromptBook(deps);
    if (raw && typeof raw === 'object') {
      for (const [k, p] of Object.entries(raw)) {
        if (p && typeof p === 'object' && Number.isInteger(p.tabId) && typeof p.feedId === 'string' && typeof p.shownAt === 'number') {
          b.pending[k] = p;
        }
      }
    }
    return b;
  }

  toJSON() {
    return this.pending;
  }

  get(tabId) {
    return this.pending[String(tabId)];
  }

  all() {
    return Object.values(this.pending);
  }

  /**
   * Opens (or resumes) the prompt of a tab. The same feed and mode in the
   * same tab resumes the pending prompt, keeping when it was first shown (a
   * reloaded prompt page or a re-attached overlay is the same prompt). Any
   * other pending prompt of the tab is abandoned first; its event, if any, is
   * returned as `abandoned`.
   * @param {Omit<Pending, 'shownAt'>} info
   * @returns {{pending: Pending, resumed: boolean, abandoned: object | null}}
   */
  open(info, now) {
    const prev = this.get(info.tabId);
    if (prev && prev.feedId === info.feedId && prev.mode === info.mode && prev.doneFor === info.doneFor) {
      prev.windowId = info.windowId;
      return { pending: prev, resumed: true, abandoned: null };
    }
    const abandoned = prev ? this.abandon(info.tabId, now) : null;
    const p = { ...info, shownAt: now };
    if (p.doneFor === undefined) delete p.doneFor;
    if (p.canExtend === undefined) delete p.canExtend;
    this.pending[String(info.tabId)] = p;
    return { pending: p, resumed: false, abandoned };
  }

  /** Whether the breathing pause of a pending prompt is over at `now`. */
  static pauseOver(p, now) {
    return now >= p.shownAt + p.pauseMs - PAUSE_SLACK_MS;
  }

  #event(p, now, fields) {
    return promptEvent(stamp({ newId: this.#newId, now: () => now }), {
      tabId: p.tabId,
      windowId: p.windowId,
      domain: p.domain,
      feedId: p.feedId,
      secondsToAnswer: eventSeconds(now - p.shownAt),
      via: p.via,
      ...fields,
    });
  }

  /**
   * The answer of a tab's prompt.
   * @param {number} tabId
   * @param {{answer: string, purpose?: unknown, timeboxMinutes?: unknown}} a
   *   answer: habit | habit_continued | need (prompt mode); leave | need (done mode)
   * @returns {{ok: false, error: string} | {ok: true, pending: Pending, event: object | null,
   *   grant: {promptId: string, rootId: string, feedId: string, timeboxMinutes: number} | null,
   *   habit: boolean, leave: boolean}}
   */
  answer(tabId, a, now) {
    const p = this.get(tabId);
    if (!p) return { ok: false, error: 'no_prompt' };
    const done = p.mode === 'done';
    const allowed = done ? ['leave', 'need'] : ['habit', 'habit_continued', 'need'];
    if (!allowed.includes(a?.answer)) return { ok: false, error: 'bad_answer' };
    if (!done && !PromptBook.pauseOver(p, now)) return { ok: false, error: 'pause' };
    if (a.answer === 'leave') {
      delete this.pending[String(tabId)];
      return { ok: true, pending: p, event: null, grant: null, habit: false, leave: true };
    }
    if (a.answer === 'need') {
      if (done && !p.canExtend) return { ok: false, error: 'no_extend' };
      const purpose = cleanPurpose(a.purpose);
      if (purpose === '') return { ok: false, error: 'purpose' };
      const box = a.timeboxMinutes;
      if (!Number.isInteger(box) || !p.timeboxes.includes(box)) return { ok: false, error: 'timebox' };
      const event = this.#event(p, now, {
        answer: 'need', purpose, timeboxMinutes: box, ...(done ? { extendsId: p.doneFor } : {}),
      });
      delete this.pending[String(tabId)];
      const grant = { promptId: event.id, rootId: done ? p.doneFor : event.id, feedId: p.feedId, timeboxMinutes: box };
      return { ok: true, pending: p, event, grant, habit: false, leave: false };
    }
    const event = this.#event(p, now, { answer: a.answer });
    delete this.pending[String(tabId)];
    const grant = a.answer === 'habit_continued'
      ? { promptId: event.id, rootId: event.id, feedId: p.feedId, timeboxMinutes: p.defaultTimebox }
      : null;
    return { ok: true, pending: p, event, grant, habit: true, leave: false };
  }

  /**
   * The tab's prompt went away unanswered (tab closed, navigated away, the
   * overlay removed): during the pause that is `left_during_pause`, after it
   * `habit`. A "done?" prompt left unanswered records nothing.
   * @returns {object | null} the event
   */
  abandon(tabId, now) {
    const p = this.get(tabId);
    if (!p) return null;
    delete this.pending[String(tabId)];
    if (p.mode === 'done') return null;
    return this.#event(p, now, { answer: PromptBook.pauseOver(p, now) ? 'habit' : 'left_during_pause' });
  }

  /** Forgets a tab's prompt without an event (the feed was granted meanwhile). */
  drop(tabId) {
    const p = this.get(tabId);
    delete this.pending[String(tabId)];
    return p ?? null;
  }
}
