// Pairing through native messaging: before showing a pairing code, ask the
// mindful app's native-messaging host (installed by `mindful install`) for
// the daemon's address and a token. The browser starts the host only for
// this extension (the host manifest lists exactly our origin / add-on id),
// and the host proves to the daemon that it is the trusted side, so no code
// has to be typed. Any failure means "fall back to code pairing".
//
// Request  {type: "pair", client_id, browser, browser_version, ext_version, origin}
// Answer   {ok: true, addr, client_id, token} | {ok: false, error, message}
//
// The token is stored by the caller (connection.js) and never logged.

import { parseDaemonAddr } from '../shared/addr.js';
import { KEYS } from '../shared/storage-keys.js';

/** The host's name in every browser (installer.HostName). */
export const HOST_NAME = 'org.mindful_app.mindful';
/** How long to wait for the host: it starts a process and asks the daemon. */
export const NATIVE_TIMEOUT_MS = 10_000;

const TOKEN_RE = /^[0-9a-f]{64}$/;

/**
 * Makes the connection's `nativePair(identity)`: resolves to {addr, token}
 * on success and to null on any failure (logged, never thrown).
 * @param {{
 *   runtime: {sendNativeMessage?: Function},
 *   permissions?: {contains?: (p: object) => Promise<boolean>},
 *   storage: {get: Function},
 *   origin: string,          // our origin, e.g. chrome-extension://ID (no slash)
 *   log?: (msg: string, err?: unknown) => void,
 *   timers?: {setTimeout: Function, clearTimeout: Function},
 *   timeoutMs?: number,
 * }} deps
 */
export function nativePairing({
  runtime, permissions, storage, origin, log = () => {},
  timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t) },
  timeoutMs = NATIVE_TIMEOUT_MS,
}) {
  return async (identity) => {
    try {
      if (typeof runtime?.sendNativeMessage !== 'function') return null;
      if (typeof permissions?.contains === 'function' && !(await permissions.contains({ permissions: ['nativeMessaging'] }))) {
        return null;
      }
      // After the user unpaired this browser, only they may pair it again.
      const off = (await storage.get(KEYS.nativePairingOff))[KEYS.nativePairingOff];
      if (off === true) return null;
      const req = { type: 'pair', ...identity, origin };
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = timers.setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      let answer;
      try {
        answer = await Promise.race([runtime.sendNativeMessage(HOST_NAME, req), timeout]);
      } finally {
        timers.clearTimeout(timer);
      }
      const checked = checkAnswer(answer, identity);
      if (!checked.ok) {
        log(`native pairing not available: ${checked.reason}; pairing with a code`);
        return null;
      }
      return { addr: checked.addr, token: answer.token };
    } catch (err) {
      log(`native pairing not available: ${err?.message ?? err}; pairing with a code`);
      return null;
    }
  };
}

/**
 * Checks the host's answer. Never puts the token into the reason.
 * @returns {{ok: true, addr: string} | {ok: false, reason: string}}
 */
export function checkAnswer(answer, identity) {
  if (!answer || typeof answer !== 'object') return { ok: false, reason: 'the host answered nothing' };
  if (answer.ok !== true) {
    const code = typeof answer.error === 'string' ? answer.error : 'error';
    const msg = typeof answer.message === 'string' ? `: ${answer.message}` : '';
    return { ok: false, reason: `the host said ${code}${msg}` };
  }
  if (typeof answer.token !== 'string' || !TOKEN_RE.test(answer.token)) return { ok: false, reason: 'the host sent a malformed token' };
  const addr = parseDaemonAddr(answer.addr);
  if (!addr.ok) return { ok: false, reason: `the host sent a bad address (${addr.error})` };
  if (answer.client_id !== identity.client_id) return { ok: false, reason: 'the host paired another client id' };
  return { ok: true, addr: addr.value };
}
