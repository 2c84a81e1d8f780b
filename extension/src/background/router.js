// Runtime messages to the background: one alphabetised handler table.
//
// Senders are sorted the way uBlock Origin does it:
//   trusted   — our own extension pages (sender.url under runtime.getURL('')),
//               e.g. the prompt page, even inside the overlay iframe;
//   untrusted — content scripts (sender.tab set, sender.url a web page the
//               page itself controls). They may only read the catalog, the
//               grants and the pause, and say that an overlay is up.
// The break page's messages (break_*) are trusted ones; the break enforcer also
// refuses an early end from a break page framed by another page.
// Every message is {type, ...fields}; its shape is checked before its
// handler runs, and unknown types are ignored. The token is never sent.

import { isFeedId } from '../shared/feed-id.js';

const isStr = (x, max = 8192) => typeof x === 'string' && x.length <= max;
const isHttpUrl = (x) => isStr(x) && /^https?:\/\//i.test(x);
const isOptInt = (x) => x === undefined || Number.isInteger(x);
const isBreakKey = (x) => typeof x === 'string' && x.length >= 1 && x.length <= 128;

/**
 * name → {trusted: whether only extension pages may send it, valid: shape
 * check, run: (parts, msg, ctx) => result}. parts is {prompts, breaks}: the
 * prompt guard and the break enforcer (enforcement.js). ctx is {tabId, windowId, frameId, port?}.
 */
export const HANDLERS = Object.freeze({
  break_info: {
    trusted: true,
    valid: (m) => isBreakKey(m.key) && isHttpUrl(m.url),
    run: ({ breaks }, m, ctx) => breaks.breakInfo(ctx, { key: m.key, url: m.url }),
  },
  break_note: {
    trusted: true,
    valid: (m) => isBreakKey(m.key) && isStr(m.note, 4000),
    run: ({ breaks }, m, ctx) => breaks.breakNote(ctx, { key: m.key, note: m.note }),
  },
  break_stop: {
    trusted: true,
    valid: (m) => isStr(m.ticket, 64) && m.ticket !== '' && isStr(m.reason, 2000),
    run: ({ breaks }, m, ctx) => breaks.breakStop(ctx, { ticket: m.ticket, reason: m.reason }),
  },
  break_stop_request: {
    trusted: true,
    valid: () => true,
    run: ({ breaks }, m, ctx) => breaks.breakStopRequest(ctx),
  },
  content_state: {
    trusted: false,
    valid: () => true,
    run: ({ prompts }) => prompts.contentState(),
  },
  overlay_shown: {
    trusted: false,
    valid: (m) => isFeedId(m.feedId) && isHttpUrl(m.url),
    run: ({ prompts }, m, ctx) => prompts.overlayShown(ctx, { feedId: m.feedId, url: m.url }),
  },
  prompt_answer: {
    trusted: true,
    valid: (m) =>
      ['habit', 'habit_continued', 'leave', 'need'].includes(m.answer) &&
      (m.purpose === undefined || isStr(m.purpose, 4000)) &&
      isOptInt(m.timeboxMinutes) &&
      (m.canGoBack === undefined || typeof m.canGoBack === 'boolean'),
    run: ({ prompts }, m, ctx) =>
      prompts.promptAnswer(ctx, { answer: m.answer, purpose: m.purpose, timeboxMinutes: m.timeboxMinutes, canGoBack: m.canGoBack === true }),
  },
  prompt_open: {
    trusted: true,
    valid: (m) =>
      isFeedId(m.feedId) && isHttpUrl(m.url) && ['done', 'navigation', 'overlay'].includes(m.mode) &&
      (m.doneFor === undefined || isStr(m.doneFor, 64)),
    run: ({ prompts }, m, ctx) => prompts.promptOpen(ctx, { feedId: m.feedId, url: m.url, mode: m.mode, doneFor: m.doneFor }),
  },
});

export const MESSAGE_TYPES = Object.freeze(Object.keys(HANDLERS));

/**
 * Whether a sender is one of our extension pages.
 * @param {{id?: string, url?: string}} sender
 * @param {{id: string, baseUrl: string}} self  runtime.id and runtime.getURL('')
 */
export function isTrustedSender(sender, self) {
  return Boolean(
    sender && sender.id === self.id && typeof sender.url === 'string' && typeof self.baseUrl === 'string' &&
    self.baseUrl !== '' && sender.url.startsWith(self.baseUrl),
  );
}

/**
 * Routes one message. Returns a promise of the reply, or null when the
 * message is ignored (unknown type, wrong shape, not allowed for the sender).
 * @param {unknown} msg
 * @param {{id?: string, url?: string, tab?: {id?: number, windowId?: number}, frameId?: number}} sender
 * @param {{parts: {prompts: object, breaks: object}, self: {id: string, baseUrl: string}, port?: object, log?: Function}} env
 */
export function route(msg, sender, { parts, self, port, log = () => {} }) {
  if (!msg || typeof msg !== 'object' || Array.isArray(msg) || typeof msg.type !== 'string') return null;
  if (!Object.hasOwn(HANDLERS, msg.type)) return null;
  const h = HANDLERS[msg.type];
  if (sender?.id !== self.id) return null;
  const trusted = isTrustedSender(sender, self);
  if (h.trusted && !trusted) {
    log(`refused ${msg.type} from an untrusted sender`);
    return null;
  }
  if (!h.valid(msg)) {
    log(`ignored a malformed ${msg.type}`);
    return null;
  }
  const ctx = {
    tabId: Number.isInteger(sender.tab?.id) ? sender.tab.id : -1,
    windowId: Number.isInteger(sender.tab?.windowId) ? sender.tab.windowId : -1,
    frameId: Number.isInteger(sender.frameId) ? sender.frameId : 0,
    trusted,
    port,
  };
  return Promise.resolve().then(() => h.run(parts, msg, ctx));
}
