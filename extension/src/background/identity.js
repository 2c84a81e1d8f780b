// Who this extension is, for `hello` and `pair_request`.

import { KEYS } from '../shared/storage-keys.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The per-profile client id, created once (crypto.randomUUID) and kept in storage.local. */
export async function getOrCreateClientId(storage, randomUUID = () => crypto.randomUUID()) {
  const got = await storage.get(KEYS.clientId);
  const existing = got[KEYS.clientId];
  if (typeof existing === 'string' && UUID_RE.test(existing)) return existing;
  const id = randomUUID();
  await storage.set({ [KEYS.clientId]: id });
  return id;
}

/**
 * A memoised identity getter: {client_id, browser, browser_version, ext_version}.
 * A failure is not memoised, so the next call tries again.
 */
export function identityProvider({ storage, detectBrowser, extVersion, randomUUID }) {
  let pending = null;
  return () => {
    pending ??= (async () => {
      const [clientId, b] = await Promise.all([getOrCreateClientId(storage, randomUUID), detectBrowser()]);
      return { client_id: clientId, browser: b.browser, browser_version: b.browser_version, ext_version: extVersion };
    })().catch((err) => {
      pending = null;
      throw err;
    });
    return pending;
  };
}
