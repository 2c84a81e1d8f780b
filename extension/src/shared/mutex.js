// A promise-chain mutex. Extension events race (a service worker can run
// several listeners concurrently); every read-modify-write of a storage key
// goes through one of these so no update is lost.

export class Mutex {
  #tail = Promise.resolve();

  /**
   * Runs fn after every earlier call has settled. The slot is taken when
   * run() is called, so calls run in call order.
   * @template T
   * @param {() => T | Promise<T>} fn
   * @returns {Promise<T>}
   */
  run(fn) {
    const result = this.#tail.then(() => fn());
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves once everything queued so far has settled. */
  idle() {
    return this.#tail;
  }
}
