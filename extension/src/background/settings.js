// Reacting to settings the options page writes.

import { KEYS } from '../shared/storage-keys.js';

/**
 * Reconnects at once when storage.local `daemonAddr` changes.
 * @param {{addListener: (fn: (changes: object, area: string) => void) => void}} onChanged  storage.onChanged
 * @param {{setAddress: (value: unknown) => unknown}} connection
 */
export function watchDaemonAddr(onChanged, connection) {
  const listener = (changes, area) => {
    if (area === 'local' && changes && KEYS.daemonAddr in changes) {
      connection.setAddress(changes[KEYS.daemonAddr].newValue);
    }
  };
  onChanged.addListener(listener);
  return listener;
}
