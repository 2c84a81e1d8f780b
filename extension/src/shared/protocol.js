// Wire protocol v1 (docs/protocol.md): envelope and message builders,
// validators for both directions, event constructors.
//
// Validators return {ok: true} or {ok: false, code, field, message}, with
// `field` naming the offending field like the daemon does ("body.events[2].ts").

import { isFeedId } from './feed-id.js';

export const PROTOCOL_VERSION = 1;
export const MAX_FRAME_BYTES = 65_536;
export const MAX_BATCH = 200;
/** Longest `url` sent; a longer one is left out (the field is optional) so one event never nears the frame limit. */
export const MAX_URL_LENGTH = 2048;

/** Message types the extension sends. */
export const EXTENSION_TYPES = Object.freeze(['pair_request', 'hello', 'events', 'break_stop_request', 'break_stop', 'ping', 'pong']);
/** Message types the daemon sends. */
export const DAEMON_TYPES = Object.freeze([
  'pair_pending', 'paired', 'welcome', 'state', 'break_stop_ticket', 'break_stopped', 'ack', 'error', 'ping', 'pong',
]);

export const EVENT_TYPES = Object.freeze([
  'tab_navigated', 'tab_activated', 'tab_closed', 'window_focus', 'idle_state', 'prompt', 'feed_time',
  'break_attempt', 'break_note', 'access',
]);
/** `access` event states: every needed host can be acted on, or some cannot. */
export const ACCESS_STATES = Object.freeze(['full', 'limited']);
/** At most this many hosts in an `access` event's missing_hosts. */
export const MAX_ACCESS_HOSTS = 200;
export const IDLE_STATES = Object.freeze(['active', 'idle', 'locked']);
/** Answers to "Habit or need?" (`prompt` events). */
export const ANSWERS = Object.freeze(['habit', 'habit_continued', 'need', 'left_during_pause']);
/** How a prompt was shown: a redirected page load, or an overlay over an in-page route change. */
export const VIAS = Object.freeze(['navigation', 'spa']);
/** Longest `purpose`, in UTF-8 bytes, and the time box range in minutes. */
export const MAX_PURPOSE_BYTES = 500;
export const MAX_TIMEBOX_MINUTES = 240;
/** seconds_to_answer and feed_time seconds lie in 0..86400. */
export const MAX_EVENT_SECONDS = 86_400;
/** Longest break key and break-page note (UTF-8 bytes), and the longest early-end reason the daemon takes. */
export const MAX_BREAK_KEY_LENGTH = 128;
export const MAX_NOTE_BYTES = 2000;
export const MAX_STOP_REASON_BYTES = 500;
export const BROWSERS = Object.freeze([
  'chrome', 'chromium', 'edge', 'brave', 'opera', 'vivaldi', 'firefox', 'firefox-esr', 'gecko', 'unknown',
]);

export const CLOSE = Object.freeze({
  normal: 1000,
  goingAway: 1001,
  tooBig: 1009,
  badToken: 4001,
  noHello: 4002,
  revoked: 4003,
  noPong: 4008,
});

/** Close codes after which the token is forgotten and pairing starts again. */
export const FORGET_TOKEN_CLOSE_CODES = Object.freeze([CLOSE.badToken, CLOSE.revoked]);

export const ERROR_CODES = Object.freeze([
  'bad_json', 'bad_envelope', 'unsupported_version', 'unknown_type', 'invalid',
  'not_authenticated', 'unauthorized', 'pairing_unavailable', 'unavailable', 'refused',
]);

// ---------------------------------------------------------------- builders

/** An envelope; `re` only when given. */
export function envelope(type, id, body = {}, re) {
  const msg = { v: PROTOCOL_VERSION, type, id };
  if (re !== undefined) msg.re = re;
  msg.body = body;
  return msg;
}

/** identity: {client_id, browser, browser_version, ext_version} */
export function pairRequest(id, identity) {
  return envelope('pair_request', id, {
    client_id: identity.client_id,
    browser: identity.browser,
    browser_version: identity.browser_version,
    ext_version: identity.ext_version,
  });
}

export function hello(id, token, identity) {
  return envelope('hello', id, {
    token,
    client_id: identity.client_id,
    browser: identity.browser,
    browser_version: identity.browser_version,
    ext_version: identity.ext_version,
  });
}

export function eventsMessage(id, events) {
  return envelope('events', id, { events });
}

/** Asks the daemon for a ticket to end the running break early. */
export function breakStopRequest(id) {
  return envelope('break_stop_request', id, {});
}

/** Ends the break of `ticket` early, with the user's reason. */
export function breakStop(id, ticket, reason) {
  return envelope('break_stop', id, { ticket, reason });
}

export function ping(id) {
  return envelope('ping', id, {});
}

export function pong(id, re) {
  return envelope('pong', id, {}, re);
}

// ------------------------------------------------------------------ events

/**
 * Domain and URL of a page for events: domain is the lower-case host name
 * (no port) for http(s) pages and "" for anything else; url is scheme, host
 * and path only (never query or fragment), and only for http(s) pages.
 * @param {unknown} rawUrl
 * @returns {{domain: string, url?: string}}
 */
export function pageInfo(rawUrl) {
  if (typeof rawUrl !== 'string' || rawUrl === '') return { domain: '' };
  let u;
  try {
    u = new URL(rawUrl);
  } catch {
    return { domain: '' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { domain: '' };
  const domain = u.hostname.toLowerCase();
  const url = u.origin + u.pathname;
  return url.length <= MAX_URL_LENGTH ? { domain, url } : { domain };
}

export function domainOf(rawUrl) {
  return pageInfo(rawUrl).domain;
}

/**
 * The stamp every event gets at the moment it happens.
 * @param {{newId: () => string, now: () => number}} deps
 */
export function stamp({ newId, now }) {
  return { id: newId(), ts: new Date(now()).toISOString() };
}

export function tabNavigated(st, { tabId, windowId, domain, url, feedId }) {
  const ev = { ...st, type: 'tab_navigated', tab_id: tabId, window_id: windowId, domain };
  if (url !== undefined) ev.url = url;
  if (feedId !== undefined) ev.feed_id = feedId;
  return ev;
}

export function tabActivated(st, { tabId, windowId, domain }) {
  return { ...st, type: 'tab_activated', tab_id: tabId, window_id: windowId, domain };
}

export function tabClosed(st, { tabId, windowId, domain }) {
  return { ...st, type: 'tab_closed', tab_id: tabId, window_id: windowId, domain };
}

export function windowFocus(st, { windowId }) {
  return { ...st, type: 'window_focus', window_id: windowId };
}

export function idleState(st, { state }) {
  return { ...st, type: 'idle_state', state };
}

/**
 * A `prompt` event: the user answered "Habit or need?" (or left). purpose and
 * timebox_minutes are set for `need` only; extends only on an extension.
 */
export function promptEvent(st, { tabId, windowId, domain, feedId, answer, secondsToAnswer, via, purpose, timeboxMinutes, extendsId }) {
  const ev = {
    ...st, type: 'prompt', tab_id: tabId, window_id: windowId, domain, feed_id: feedId, answer,
    seconds_to_answer: secondsToAnswer, via,
  };
  if (answer === 'need') {
    ev.purpose = purpose;
    ev.timebox_minutes = timeboxMinutes;
  }
  if (extendsId !== undefined) ev.extends = extendsId;
  return ev;
}

/** A `feed_time` event: seconds spent on the feed under the grant of prompt promptId. */
export function feedTimeEvent(st, { promptId, feedId, seconds }) {
  return { ...st, type: 'feed_time', prompt_id: promptId, feed_id: feedId, seconds };
}

/** A `break_attempt`: a navigation to a blocked site was stopped during a break. */
export function breakAttemptEvent(st, { domain, breakKey, tabId, windowId }) {
  const ev = { ...st, type: 'break_attempt', domain, break_key: breakKey };
  if (Number.isInteger(tabId)) ev.tab_id = tabId;
  if (Number.isInteger(windowId)) ev.window_id = windowId;
  return ev;
}

/** A `break_note`: what the user wanted to look at, jotted down on the break page. */
export function breakNoteEvent(st, { breakKey, note }) {
  return { ...st, type: 'break_note', break_key: breakKey, note };
}

/**
 * An `access` event: whether the browser lets the extension act on every
 * site it needs (`full`), or which ones it may not (`limited`).
 */
export function accessEvent(st, { state, missing_hosts: missing }) {
  return { ...st, type: 'access', state, missing_hosts: [...missing] };
}

/** Seconds as sent in events: a number rounded to tenths, within 0..86400. */
export function eventSeconds(ms) {
  const s = Math.round(Math.max(0, Number(ms) || 0) / 100) / 10;
  return Math.min(s, MAX_EVENT_SECONDS);
}

/** The longest prefix of `text` (whole characters) that fits in maxBytes of UTF-8. */
export function cutToBytes(text, maxBytes) {
  const s = String(text ?? '');
  const enc = new TextEncoder();
  if (enc.encode(s).length <= maxBytes) return s;
  let out = '';
  let bytes = 0;
  for (const ch of s) {
    const n = enc.encode(ch).length;
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/**
 * The user's purpose as the daemon accepts it: control characters become
 * spaces, runs of white space collapse, at most 500 UTF-8 bytes (never
 * cutting a character).
 */
export function cleanPurpose(text) {
  const s = String(text ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  return cutToBytes(s, MAX_PURPOSE_BYTES).trim();
}

/** A break-page note as sent: trimmed, at most 2,000 UTF-8 bytes (line breaks kept). */
export function cleanNote(text) {
  const s = String(text ?? '').replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim();
  return cutToBytes(s, MAX_NOTE_BYTES).trim();
}

/** An early-end reason as sent: one line, trimmed, at most 500 UTF-8 bytes. */
export function cleanStopReason(text) {
  const s = String(text ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  return cutToBytes(s, MAX_STOP_REASON_BYTES).trim();
}

// -------------------------------------------------------------- validation

const OK = Object.freeze({ ok: true });
const RFC3339_MS_UTC = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function fail(code, field, message) {
  return { ok: false, code, field, message: field ? `${field}: ${message}` : message };
}

const isObject = (x) => typeof x === 'object' && x !== null && !Array.isArray(x);
const isString = (x) => typeof x === 'string';
const isInt = (x) => Number.isInteger(x);
const isMessageId = (x) => isString(x) && x.length >= 1 && x.length <= 64;

function requireString(body, name, prefix = 'body', { nonEmpty = false } = {}) {
  const v = body[name];
  if (!isString(v)) return fail('invalid', `${prefix}.${name}`, 'must be a string');
  if (nonEmpty && v === '') return fail('invalid', `${prefix}.${name}`, 'must not be empty');
  return null;
}

function identityCheck(body) {
  return (
    requireString(body, 'client_id', 'body', { nonEmpty: true }) ??
    (BROWSERS.includes(body.browser) ? null : fail('invalid', 'body.browser', `must be one of ${BROWSERS.join(', ')}`)) ??
    requireString(body, 'browser_version') ??
    requireString(body, 'ext_version', 'body', { nonEmpty: true })
  );
}

/** Validates one event of an `events` body; `at` is its path for messages. */
export function validateEvent(ev, at = 'event') {
  if (!isObject(ev)) return fail('invalid', at, 'must be an object');
  if (!isMessageId(ev.id)) return fail('invalid', `${at}.id`, 'must be a string of 1 to 64 characters');
  if (!isString(ev.ts) || !RFC3339_MS_UTC.test(ev.ts)) {
    return fail('invalid', `${at}.ts`, 'must be an RFC 3339 UTC timestamp with milliseconds');
  }
  if (!EVENT_TYPES.includes(ev.type)) return fail('invalid', `${at}.type`, `unknown event type ${JSON.stringify(ev.type)}`);
  const needTab = () =>
    (isInt(ev.tab_id) ? null : fail('invalid', `${at}.tab_id`, 'must be an integer')) ??
    (isInt(ev.window_id) ? null : fail('invalid', `${at}.window_id`, 'must be an integer')) ??
    (isString(ev.domain) ? null : fail('invalid', `${at}.domain`, 'must be a string')) ??
    (ev.domain === ev.domain.toLowerCase() ? null : fail('invalid', `${at}.domain`, 'must be lower case'));
  const feedId = () => (isFeedId(ev.feed_id) ? null : fail('invalid', `${at}.feed_id`, 'must be a feed id'));
  const seconds = (name) => {
    const v = ev[name];
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_EVENT_SECONDS
      ? null
      : fail('invalid', `${at}.${name}`, `must be a number of seconds from 0 to ${MAX_EVENT_SECONDS}`);
  };
  switch (ev.type) {
    case 'tab_navigated': {
      const bad = needTab();
      if (bad) return bad;
      if (ev.url !== undefined) {
        if (!isString(ev.url)) return fail('invalid', `${at}.url`, 'must be a string');
        if (/[?#]/.test(ev.url)) return fail('invalid', `${at}.url`, 'must not contain a query or fragment');
      }
      if (ev.feed_id !== undefined) return feedId() ?? OK;
      return OK;
    }
    case 'prompt': {
      const bad = needTab() ?? feedId() ?? seconds('seconds_to_answer');
      if (bad) return bad;
      if (!ANSWERS.includes(ev.answer)) return fail('invalid', `${at}.answer`, `must be one of ${ANSWERS.join(', ')}`);
      if (!VIAS.includes(ev.via)) return fail('invalid', `${at}.via`, `must be one of ${VIAS.join(', ')}`);
      const box = ev.timebox_minutes;
      const boxOk = isInt(box) && box >= 1 && box <= MAX_TIMEBOX_MINUTES;
      if (ev.answer === 'need') {
        if (!isString(ev.purpose) || ev.purpose !== cleanPurpose(ev.purpose)) {
          return fail('invalid', `${at}.purpose`, `must be text of at most ${MAX_PURPOSE_BYTES} bytes without control characters`);
        }
        if (!boxOk) return fail('invalid', `${at}.timebox_minutes`, `a need needs a time box of 1 to ${MAX_TIMEBOX_MINUTES} minutes`);
      } else if (ev.purpose !== undefined || box !== undefined) {
        return fail('invalid', `${at}.${ev.purpose !== undefined ? 'purpose' : 'timebox_minutes'}`, 'only a need has a purpose and a time box');
      }
      if (ev.extends !== undefined && !isMessageId(ev.extends)) {
        return fail('invalid', `${at}.extends`, 'must be a string of 1 to 64 characters');
      }
      return OK;
    }
    case 'feed_time':
      if (!isMessageId(ev.prompt_id)) return fail('invalid', `${at}.prompt_id`, 'must be a string of 1 to 64 characters');
      return feedId() ?? seconds('seconds') ?? OK;
    case 'tab_activated':
    case 'tab_closed':
      return needTab() ?? OK;
    case 'window_focus':
      return isInt(ev.window_id) ? OK : fail('invalid', `${at}.window_id`, 'must be an integer');
    case 'idle_state':
      return IDLE_STATES.includes(ev.state) ? OK : fail('invalid', `${at}.state`, 'must be active, idle or locked');
    case 'break_attempt': {
      if (!isString(ev.domain) || ev.domain === '' || ev.domain !== ev.domain.toLowerCase()) {
        return fail('invalid', `${at}.domain`, 'must be a lower-case host name');
      }
      if (ev.tab_id !== undefined && !isInt(ev.tab_id)) return fail('invalid', `${at}.tab_id`, 'must be an integer');
      if (ev.window_id !== undefined && !isInt(ev.window_id)) return fail('invalid', `${at}.window_id`, 'must be an integer');
      return breakKey(ev.break_key, at) ?? OK;
    }
    case 'break_note':
      if (!isString(ev.note) || ev.note.trim() === '' || new TextEncoder().encode(ev.note).length > MAX_NOTE_BYTES) {
        return fail('invalid', `${at}.note`, `must be text of 1 to ${MAX_NOTE_BYTES} bytes`);
      }
      return breakKey(ev.break_key, at) ?? OK;
    case 'access': {
      if (!ACCESS_STATES.includes(ev.state)) return fail('invalid', `${at}.state`, `must be one of ${ACCESS_STATES.join(', ')}`);
      const hosts = ev.missing_hosts;
      if (!Array.isArray(hosts) || hosts.length > MAX_ACCESS_HOSTS || !hosts.every((h) => isString(h) && h !== '' && h.length <= 253 && h === h.toLowerCase())) {
        return fail('invalid', `${at}.missing_hosts`, `must be a list of at most ${MAX_ACCESS_HOSTS} lower-case host names`);
      }
      if ((ev.state === 'full') !== (hosts.length === 0)) {
        return fail('invalid', `${at}.missing_hosts`, 'must be empty exactly when state is full');
      }
      return OK;
    }
  }
  return OK; // unreachable
}

function breakKey(v, at) {
  return isString(v) && v.length >= 1 && v.length <= MAX_BREAK_KEY_LENGTH
    ? null
    : fail('invalid', `${at}.break_key`, `must be a string of 1 to ${MAX_BREAK_KEY_LENGTH} characters`);
}

const isTime = (x) => isString(x) && RFC3339.test(x);

const BODY_CHECKS = {
  // ---- from the extension
  pair_request: (b) => identityCheck(b),
  hello: (b) =>
    (isString(b.token) && /^[0-9a-f]{64}$/.test(b.token) ? null : fail('invalid', 'body.token', 'must be 64 hex digits')) ??
    identityCheck(b),
  events: (b) => {
    if (!Array.isArray(b.events)) return fail('invalid', 'body.events', 'must be an array');
    if (b.events.length < 1 || b.events.length > MAX_BATCH) {
      return fail('invalid', 'body.events', `must hold 1 to ${MAX_BATCH} events`);
    }
    for (let i = 0; i < b.events.length; i++) {
      const r = validateEvent(b.events[i], `events[${i}]`);
      if (!r.ok) return r;
    }
    return null;
  },
  break_stop_request: () => null,
  break_stop: (b) =>
    (isString(b.ticket) && b.ticket.length >= 1 && b.ticket.length <= 64 ? null : fail('invalid', 'body.ticket', 'must be a string of 1 to 64 characters')) ??
    (isString(b.reason) && b.reason.trim() !== '' ? null : fail('invalid', 'body.reason', 'must not be empty')),
  ping: () => null,
  pong: () => null,
  // ---- from the daemon
  break_stop_ticket: (b) =>
    (isString(b.ticket) && b.ticket !== '' ? null : fail('invalid', 'body.ticket', 'must be a non-empty string')) ??
    (isTime(b.not_before) ? null : fail('invalid', 'body.not_before', 'must be an RFC 3339 timestamp')) ??
    (b.name === undefined || isString(b.name) ? null : fail('invalid', 'body.name', 'must be a string')) ??
    (b.end === undefined || b.end === null || isTime(b.end) ? null : fail('invalid', 'body.end', 'must be an RFC 3339 timestamp or null')),
  break_stopped: (b) =>
    (b.name === undefined || isString(b.name) ? null : fail('invalid', 'body.name', 'must be a string')) ??
    (b.at === undefined || isTime(b.at) ? null : fail('invalid', 'body.at', 'must be an RFC 3339 timestamp')),
  pair_pending: (b) =>
    (isString(b.code) && /^\d{6}$/.test(b.code) ? null : fail('invalid', 'body.code', 'must be a string of 6 digits')) ??
    (isString(b.expires_at) && RFC3339.test(b.expires_at) ? null : fail('invalid', 'body.expires_at', 'must be an RFC 3339 timestamp')),
  paired: (b) =>
    (isString(b.token) && /^[0-9a-f]{64}$/.test(b.token) ? null : fail('invalid', 'body.token', 'must be 64 hex digits')) ??
    requireString(b, 'client_id'),
  welcome: (b) => {
    if (b.max_batch !== undefined && !(isInt(b.max_batch) && b.max_batch >= 1)) {
      return fail('invalid', 'body.max_batch', 'must be a positive integer');
    }
    if (b.ping_interval_ms !== undefined && !(isInt(b.ping_interval_ms) && b.ping_interval_ms > 0)) {
      return fail('invalid', 'body.ping_interval_ms', 'must be a positive integer');
    }
    if (b.state !== undefined && !isObject(b.state)) return fail('invalid', 'body.state', 'must be an object');
    return null;
  },
  // The body is the state itself; its fields are read leniently (shared/daemon-state.js).
  state: () => null,
  ack: (b) => {
    if (!Array.isArray(b.ids) || !b.ids.every(isString)) return fail('invalid', 'body.ids', 'must be an array of strings');
    if (b.rejected !== undefined) {
      if (!Array.isArray(b.rejected)) return fail('invalid', 'body.rejected', 'must be an array');
      for (let i = 0; i < b.rejected.length; i++) {
        if (!isObject(b.rejected[i]) || !isString(b.rejected[i].id)) {
          return fail('invalid', `body.rejected[${i}].id`, 'must be a string');
        }
      }
    }
    return null;
  },
  error: (b) =>
    requireString(b, 'code', 'body', { nonEmpty: true }) ??
    (b.message === undefined || isString(b.message) ? null : fail('invalid', 'body.message', 'must be a string')) ??
    (b.field === undefined || isString(b.field) ? null : fail('invalid', 'body.field', 'must be a string')),
};

/**
 * Types the extension sends that must carry `re`. Replies from the daemon
 * carry `re` too, but a missing one is tolerated: nothing depends on it
 * except matching an ack to the batch in flight.
 */
const NEEDS_RE = new Set(['pong']);

/**
 * Validates a decoded message.
 * @param {unknown} msg
 * @param {'extension' | 'daemon'} from  which side sent it
 */
export function validateMessage(msg, from) {
  if (!isObject(msg)) return fail('bad_json', '', 'the frame is not a JSON object');
  if (msg.v === undefined || typeof msg.v !== 'number') return fail('bad_envelope', 'v', 'must be a number');
  if (msg.v !== PROTOCOL_VERSION) return fail('unsupported_version', 'v', `must be ${PROTOCOL_VERSION}`);
  if (!isString(msg.type)) return fail('bad_envelope', 'type', 'must be a string');
  if (!isMessageId(msg.id)) return fail('bad_envelope', 'id', 'must be a string of 1 to 64 characters');
  if (msg.re !== undefined && !isMessageId(msg.re)) return fail('bad_envelope', 're', 'must be a string of 1 to 64 characters');
  if (!isObject(msg.body)) return fail('bad_envelope', 'body', 'must be an object');
  const allowed = from === 'extension' ? EXTENSION_TYPES : from === 'daemon' ? DAEMON_TYPES : [];
  if (!allowed.includes(msg.type)) return fail('unknown_type', 'type', `${JSON.stringify(msg.type)} is not sent by the ${from}`);
  if (from === 'extension' && NEEDS_RE.has(msg.type) && msg.re === undefined) return fail('bad_envelope', 're', `a ${msg.type} must answer a message`);
  return BODY_CHECKS[msg.type](msg.body) ?? OK;
}

/**
 * Decodes and validates a frame sent by the daemon.
 * @returns {{ok: true, msg: object} | {ok: false, code: string, field: string, message: string}}
 */
export function parseDaemonFrame(text) {
  if (typeof text !== 'string') return fail('bad_json', '', 'the frame is not text');
  let msg;
  try {
    msg = JSON.parse(text);
  } catch {
    return fail('bad_json', '', 'the frame is not JSON');
  }
  const r = validateMessage(msg, 'daemon');
  return r.ok ? { ok: true, msg } : r;
}

/** Size of a message once encoded, in UTF-8 bytes. */
export function encodedSize(msg) {
  return new TextEncoder().encode(JSON.stringify(msg)).length;
}

/**
 * The longest prefix of `events` (at least one event, at most maxBatch) whose
 * `events` message, with id `id`, fits in maxBytes.
 */
export function takeBatch(events, { id, maxBatch = MAX_BATCH, maxBytes = MAX_FRAME_BYTES }) {
  const limit = Math.max(1, Math.min(maxBatch, MAX_BATCH));
  let size = encodedSize(eventsMessage(id, []));
  const out = [];
  for (const ev of events) {
    if (out.length >= limit) break;
    const add = encodedSize(ev) + (out.length > 0 ? 1 : 0);
    if (out.length > 0 && size + add > maxBytes) break;
    size += add;
    out.push(ev);
  }
  return out;
}
