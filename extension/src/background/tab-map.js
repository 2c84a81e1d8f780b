// tabId → domain, so that `tab_closed` can name the domain of a tab that no
// longer exists. Kept in storage.session (survives service-worker restarts,
// not browser restarts), or in memory where there is no session storage.

import { Mutex } from '../shared/mutex.js';
import { SESSION_KEYS } from '../shared/storage-keys.js';

export class TabMap {
  #storage;
  #mutex = new Mutex();

  /** @param {{storage: {get: Function, set: Function}}} deps */
  constructor({ storage }) {
    this.#storage = storage;
  }

  async #read() {
    const got = await this.#storage.get(SESSION_KEYS.tabDomains);
    const map = got[SESSION_KEYS.tabDomains];
    return map && typeof map === 'object' ? map : {};
  }

  #update(fn) {
    return this.#mutex.run(async () => {
      const map = await this.#read();
      const result = fn(map);
      await this.#storage.set({ [SESSION_KEYS.tabDomains]: map });
      return result;
    });
  }

  set(tabId, domain) {
    return this.#update((map) => {
      map[String(tabId)] = domain;
    });
  }

  /** Fills in tabs that have no entry yet (e.g. tabs open before the extension started). */
  seed(entries) {
    return this.#update((map) => {
      for (const [tabId, domain] of entries) {
        if (!(String(tabId) in map)) map[String(tabId)] = domain;
      }
    });
  }

  get(tabId) {
    return this.#mutex.run(async () => (await this.#read())[String(tabId)]);
  }

  /** Returns the domain of a tab ("" when unknown) and forgets the tab. */
  take(tabId) {
    return this.#update((map) => {
      const domain = map[String(tabId)];
      delete map[String(tabId)];
      return typeof domain === 'string' ? domain : '';
    });
  }
}
