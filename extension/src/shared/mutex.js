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

/**
 * Resolves once `serial` and `queue` are both idle: everything queued on
 * the mutex has run, and so has everything those runs appended to the
 * queue (whose `idle` is optional), repeated until nothing new was queued.
 * @param {Mutex} serial
 * @param {{ idle?: () => Promise<unknown> }} queue
 */
export async function whenSettled(serial, queue) {
  for (;;) {
    const tail = serial.idle();
    await tail;
    await queue.idle?.();
    if (tail === serial.idle()) return;
  }
}
