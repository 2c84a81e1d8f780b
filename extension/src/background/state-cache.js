// The daemon's state as the background holds it in memory: the cached
// storage.local `daemonState`, normalized (shared/daemon-state.js) and its
// catalog compiled once per change. The prompt guard and the break enforcer
// read the same instance; enforcement.js sets it. Pure (no browser API).

import { compileCatalog, feedRegexes, matchUrl } from '../shared/feeds.js';
import { normalizeState } from '../shared/daemon-state.js';

export class StateCache {
  #state = normalizeState(null);
  #catalog = compileCatalog([]);
  #contentCatalog = [];

  /** The normalized state (shared/daemon-state.js). */
  get state() {
    return this.#state;
  }

  /** The compiled feed catalog (shared/feeds.js). */
  get catalog() {
    return this.#catalog;
  }

  /** The catalog as content scripts get it: id, name and request regexes of each feed. */
  get contentCatalog() {
    return this.#contentCatalog;
  }

  /** Replaces the state with a raw one (welcome.state or state, as cached). */
  set(raw) {
    this.#state = normalizeState(raw);
    this.#catalog = compileCatalog(this.#state.feeds);
    this.#contentCatalog = this.#catalog.feeds.map((f) => ({
      id: f.id,
      name: f.name,
      res: feedRegexes(this.#state.feeds.find((x) => x.id === f.id)),
    }));
  }

  /** The feed a URL belongs to, or undefined. */
  feedOf(url) {
    if (typeof url !== 'string' || !/^https?:/i.test(url)) return undefined;
    return matchUrl(this.#catalog, url)?.feedId;
  }

  /** The catalog's name of a feed (undefined if it is not there). */
  feedName(feedId) {
    return this.#catalog.feeds.find((f) => f.id === feedId)?.name;
  }
}
