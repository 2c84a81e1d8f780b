// Host access: the sites the extension must be able to act on, and whether
// the browser lets it.
//
// The extension needs access to every host of every enabled feed (to send a
// feed to the prompt page before any request, and to cover an in-page route
// change) and to every site of every break (to block it). The built-in
// catalog's hosts are in the manifest's host_permissions; hosts the user
// adds (a Mastodon instance, a custom feed, a break's own site list) are
// optional host permissions, which the browser grants only when the user
// asks for them in the popup or the options page. A Firefox user can also
// withdraw the manifest's hosts at any time, and Chromium users can set
// site access to "on click". So access is checked, never assumed:
//
//   needed hosts ──permissions.contains──▶ missing hosts
//        │                                     │
//        │ granted but not in the manifest's   ├─▶ storage.local `access` (popup, options: "Grant access")
//        │ content_scripts                     └─▶ an `access` event to the daemon when it changes
//        ▼                                         (status "limited", the reflection's "not enforced")
//   scripting.registerContentScripts (the history hook and the overlay)
//
// Nothing here asks for a permission: permissions.request needs a click,
// which only the pages have (shared/access-view.js).

import { originPattern } from '../shared/access-view.js';
import { HOST_RE, normalizeState } from '../shared/daemon-state.js';
import { accessEvent, stamp } from '../shared/protocol.js';
import { KEYS } from '../shared/storage-keys.js';

/** Ids of the content scripts registered for hosts outside the manifest. */
export const SCRIPT_IDS = Object.freeze({ hook: 'mindful-hook', overlay: 'mindful-overlay' });
/** At most this many missing hosts are reported (the protocol's limit). */
export const MAX_REPORTED_HOSTS = 200;


/** The host of a `*://host/*` pattern, or null for any other pattern. */
export function patternHost(pattern) {
  const m = /^\*:\/\/([^/*]+)\/\*$/.exec(String(pattern ?? ''));
  return m ? m[1] : null;
}

/**
 * Every host the extension needs for a daemon state: the hosts of enabled
 * feeds and the sites of every break it knows about (running or coming),
 * lower case, sorted, once each.
 * @param {unknown} rawState  storage.local daemonState (normalised here)
 * @returns {string[]}
 */
export function neededHosts(rawState) {
  const state = normalizeState(rawState);
  const out = new Set();
  for (const f of state.feeds) {
    if (f?.enabled === false || !Array.isArray(f.hosts)) continue;
    for (const h of f.hosts) if (typeof h === 'string') out.add(h.toLowerCase());
  }
  for (const b of state.breaks) for (const s of b.sites) out.add(s);
  return [...out].filter((h) => HOST_RE.test(h)).sort();
}

/**
 * The hosts among `hosts` that the browser does not let the extension act on.
 * @param {{contains: (p: {origins: string[]}) => Promise<boolean>}} permissions
 * @param {string[]} hosts
 */
export async function missingHosts(permissions, hosts) {
  const has = await Promise.all(
    hosts.map((h) => Promise.resolve(permissions.contains({ origins: [originPattern(h)] })).then(Boolean, () => false)),
  );
  return hosts.filter((_, i) => !has[i]);
}

/** What the popup, the options page and the daemon are told. */
export function accessSummary(missing) {
  const hosts = [...missing].sort();
  return { state: hosts.length === 0 ? 'full' : 'limited', missing_hosts: hosts.slice(0, MAX_REPORTED_HOSTS) };
}

/** Whether two summaries say the same. */
export function sameAccess(a, b) {
  return (
    a?.state === b?.state &&
    Array.isArray(a?.missing_hosts) && Array.isArray(b?.missing_hosts) &&
    a.missing_hosts.length === b.missing_hosts.length &&
    a.missing_hosts.every((h, i) => h === b.missing_hosts[i])
  );
}

/** The hosts the manifest's own content scripts already run on. */
export function manifestScriptHosts(manifest) {
  const out = new Set();
  for (const cs of Array.isArray(manifest?.content_scripts) ? manifest.content_scripts : []) {
    for (const m of Array.isArray(cs?.matches) ? cs.matches : []) {
      const h = patternHost(m);
      if (h) out.add(h);
    }
  }
  return out;
}

/**
 * A manifest's script entry as registerContentScripts wants it: a path
 * relative to the extension. (Firefox's runtime.getManifest() gives
 * absolute moz-extension:// URLs, which registerContentScripts refuses.)
 */
export function scriptPath(entry) {
  const s = String(entry ?? '');
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*\/(.*)$/i.exec(s);
  return (m ? m[1] : s).replace(/^\/+/, '');
}

/**
 * The content scripts to register so that hosts outside the manifest get the
 * history hook and the overlay too: the manifest's own two scripts, with
 * `hosts` as their matches. Empty when there is nothing to add.
 * @param {object} manifest  runtime.getManifest()
 * @param {string[]} hosts   granted hosts the manifest does not cover
 */
export function extraScripts(manifest, hosts) {
  if (hosts.length === 0) return [];
  const matches = hosts.map(originPattern);
  const list = Array.isArray(manifest?.content_scripts) ? manifest.content_scripts : [];
  const hook = list.find((cs) => cs?.world === 'MAIN');
  const overlay = list.find((cs) => cs?.world !== 'MAIN');
  const out = [];
  const js = (cs) => (Array.isArray(cs.js) ? cs.js : []).map(scriptPath);
  // When each runs is the manifest's: the hook before the page's scripts, the overlay once the page is there.
  const runAt = (cs, dflt) => (['document_start', 'document_end', 'document_idle'].includes(cs.run_at) ? cs.run_at : dflt);
  if (hook) out.push({ id: SCRIPT_IDS.hook, matches, js: js(hook), runAt: runAt(hook, 'document_start'), allFrames: false, world: 'MAIN', persistAcrossSessions: true });
  if (overlay) out.push({ id: SCRIPT_IDS.overlay, matches, js: js(overlay), runAt: runAt(overlay, 'document_idle'), allFrames: false, persistAcrossSessions: true });
  return out;
}

/** Keeps access, content-script registrations and the daemon's view in step. */
export class HostAccess {
  #permissions;
  #scripting;
  #manifest;
  #local;
  #queue;
  #onQueued;
  #newId;
  #now;
  #log;
  #running = Promise.resolve();

  /**
   * @param {{
   *   permissions: {contains: Function},
   *   scripting?: {getRegisteredContentScripts: Function, registerContentScripts: Function, unregisterContentScripts: Function},
   *   manifest: object,
   *   local: {get: Function, set: Function},
   *   queue: {append: Function},
   *   onQueued?: () => void,
   *   newId?: () => string,
   *   now?: () => number,
   *   log?: (msg: string, err?: unknown) => void,
   * }} deps
   */
  constructor({ permissions, scripting, manifest, local, queue, onQueued = () => {}, newId = () => crypto.randomUUID(), now = () => Date.now(), log = () => {} }) {
    this.#permissions = permissions;
    this.#scripting = scripting;
    this.#manifest = manifest;
    this.#local = local;
    this.#queue = queue;
    this.#onQueued = onQueued;
    this.#newId = newId;
    this.#now = now;
    this.#log = log;
  }

  /**
   * Checks access for the cached daemon state (or `rawState`), stores the
   * result, registers content scripts for granted extra hosts, and queues an
   * `access` event when the answer changed. Calls run one after another.
   */
  refresh(rawState) {
    const run = this.#running.then(() => this.#refresh(rawState));
    this.#running = run.catch((err) => this.#log('host access check failed', err));
    return run;
  }

  async #refresh(rawState) {
    const got = await this.#local.get([KEYS.daemonState, KEYS.access]);
    const hosts = neededHosts(rawState === undefined ? got[KEYS.daemonState] : rawState);
    const missing = await missingHosts(this.#permissions, hosts);
    const summary = accessSummary(missing);
    await this.#syncScripts(hosts.filter((h) => !missing.includes(h)));
    if (!sameAccess(summary, got[KEYS.access])) {
      await this.#local.set({ [KEYS.access]: summary });
      await this.#queue.append(accessEvent(stamp({ newId: this.#newId, now: this.#now }), summary));
      this.#onQueued();
    }
    return summary;
  }

  async #syncScripts(granted) {
    if (!this.#scripting?.registerContentScripts) return;
    const inManifest = manifestScriptHosts(this.#manifest);
    const want = extraScripts(this.#manifest, granted.filter((h) => !inManifest.has(h)));
    const ids = Object.values(SCRIPT_IDS);
    const have = (await this.#scripting.getRegisteredContentScripts({ ids })) ?? [];
    const key = (list) => JSON.stringify(list.map((s) => [s.id, [...(s.matches ?? [])].sort()]).sort());
    if (key(have) === key(want)) return;
    if (have.length > 0) await this.#scripting.unregisterContentScripts({ ids: have.map((s) => s.id) });
    if (want.length > 0) await this.#scripting.registerContentScripts(want);
  }
}
