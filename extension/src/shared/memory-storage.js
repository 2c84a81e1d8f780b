// An in-memory StorageArea (get/set/remove with the WebExtension semantics the
// extension uses). The fallback for storage.session where a browser lacks it;
// tests use it as a fake storage.local too. Values are copied in and out, like
// a real area, so callers never share objects with it.

export class MemoryStorage {
  #data = new Map();
  #listeners = new Set();
  #areaName;

  /**
   * @param {Record<string, unknown>} [initial]
   * @param {{areaName?: string}} [opts]  the area name passed to onChanged listeners
   */
  constructor(initial = {}, { areaName = 'local' } = {}) {
    this.#areaName = areaName;
    for (const [k, v] of Object.entries(initial)) this.#data.set(k, structuredClone(v));
  }

  /** @param {null | undefined | string | string[] | Record<string, unknown>} keys */
  async get(keys) {
    const out = {};
    if (keys === null || keys === undefined) {
      for (const [k, v] of this.#data) out[k] = structuredClone(v);
      return out;
    }
    if (typeof keys === 'string') keys = [keys];
    if (Array.isArray(keys)) {
      for (const k of keys) if (this.#data.has(k)) out[k] = structuredClone(this.#data.get(k));
      return out;
    }
    for (const [k, dflt] of Object.entries(keys)) {
      out[k] = this.#data.has(k) ? structuredClone(this.#data.get(k)) : dflt;
    }
    return out;
  }

  async set(items) {
    const changes = {};
    for (const [k, v] of Object.entries(items)) {
      if (v === undefined) continue;
      const oldValue = this.#data.get(k);
      const newValue = structuredClone(v);
      this.#data.set(k, newValue);
      changes[k] = { oldValue: structuredClone(oldValue), newValue: structuredClone(newValue) };
    }
    this.#emit(changes);
  }

  async remove(keys) {
    const changes = {};
    for (const k of typeof keys === 'string' ? [keys] : keys) {
      if (!this.#data.has(k)) continue;
      changes[k] = { oldValue: structuredClone(this.#data.get(k)) };
      this.#data.delete(k);
    }
    this.#emit(changes);
  }

  /** Test helper: a snapshot of one key, synchronously. */
  peek(key) {
    return structuredClone(this.#data.get(key));
  }

  /** Like storage.onChanged, for this area alone: listener(changes, areaName). */
  onChanged = {
    addListener: (fn) => this.#listeners.add(fn),
    removeListener: (fn) => this.#listeners.delete(fn),
  };

  #emit(changes) {
    if (Object.keys(changes).length === 0) return;
    for (const fn of this.#listeners) fn(structuredClone(changes), this.#areaName);
  }
}
