// Daemon address ("host:port") parsing. The daemon only listens on loopback,
// so only loopback host names are accepted.

import { DEFAULT_DAEMON_ADDR } from './storage-keys.js';

const HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Parses a daemon address typed by the user.
 * @param {unknown} input
 * @returns {{ok: true, value: string} | {ok: false, error: string}}
 */
export function parseDaemonAddr(input) {
  if (typeof input !== 'string') return { ok: false, error: 'Enter an address like 127.0.0.1:17717.' };
  const text = input.trim();
  if (text === '') return { ok: false, error: 'Enter an address like 127.0.0.1:17717.' };
  const m = /^(\[[^\]]*\]|[^:[\]]+):(\d{1,5})$/.exec(text);
  if (!m) {
    return { ok: false, error: 'Use the form host:port, for example 127.0.0.1:17717.' };
  }
  const host = m[1].toLowerCase();
  if (!HOSTS.has(host)) {
    return { ok: false, error: 'The host must be 127.0.0.1, localhost or [::1]: mindful only runs on this computer.' };
  }
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || String(port) !== m[2]) {
    return { ok: false, error: 'The port must be a number from 1 to 65535.' };
  }
  return { ok: true, value: `${host}:${port}` };
}

/** The address to use for a stored value: the stored one if valid, else the default. */
export function effectiveDaemonAddr(stored) {
  const parsed = parseDaemonAddr(stored);
  return parsed.ok ? parsed.value : DEFAULT_DAEMON_ADDR;
}

/** The WebSocket URL for an address. */
export function daemonUrl(addr) {
  return `ws://${addr}/ws`;
}
