// Connection status values (storage.local `status`), the toolbar badge for
// each, and the words the popup shows.

export const STATUS = Object.freeze({
  connecting: 'connecting',
  pairing: 'pairing',
  connected: 'connected',
  offline: 'offline',
  notPaired: 'not_paired',
});

export const STATUS_VALUES = Object.freeze(Object.values(STATUS));

/** Badge text and colour for a status. */
export function badgeFor(status) {
  switch (status) {
    case STATUS.connected:
      return { text: '', color: '#2f6f4f' };
    case STATUS.pairing:
    case STATUS.notPaired:
      return { text: 'PAIR', color: '#8a5a00' };
    case STATUS.offline:
      return { text: 'OFF', color: '#6b6b6b' };
    default:
      return { text: '', color: '#6b6b6b' };
  }
}

/**
 * What the popup says. Returns parts so the page can put commands in <code>:
 * an array of {text} and {code} pieces, plus an optional detail line.
 * @param {{status?: string, pairing?: {code?: string, expires_at?: string} | null, lastError?: string}} s
 * @returns {{parts: Array<{text?: string, code?: string}>, detail: string}}
 */
export function describeStatus({ status, pairing, lastError } = {}) {
  const code = typeof pairing?.code === 'string' ? pairing.code : '';
  switch (status) {
    case STATUS.connected:
      return { parts: [{ text: 'Connected to mindful.' }], detail: '' };
    case STATUS.pairing:
      if (code) {
        return {
          parts: [
            { text: `Pair with mindful: approve code ${code} by running ` },
            { code: `mindful pair approve ${code}` },
          ],
          detail: expiryText(pairing?.expires_at),
        };
      }
      return { parts: [{ text: 'Asking mindful for a pairing code…' }], detail: '' };
    case STATUS.notPaired:
      return {
        parts: [{ text: 'Not paired with mindful yet. A pairing code will appear here while mindful is running.' }],
        detail: lastError ?? '',
      };
    case STATUS.offline:
      return {
        parts: [{ text: 'mindful is not running — start it with ' }, { code: 'mindful run' }],
        detail: lastError ?? '',
      };
    case STATUS.connecting:
      return { parts: [{ text: 'Connecting to mindful…' }], detail: '' };
    default:
      return { parts: [{ text: 'Starting…' }], detail: '' };
  }
}

function expiryText(expiresAt) {
  if (typeof expiresAt !== 'string') return '';
  const t = Date.parse(expiresAt);
  if (Number.isNaN(t)) return '';
  const hhmm = new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return `The code is valid until ${hhmm}.`;
}
