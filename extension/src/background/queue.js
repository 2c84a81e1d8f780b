// The persistent event queue (storage.local `queue`).
//
// Events wait here, with the id and ts they got when they happened, until an
// `ack` lists them. Every read-modify-write runs under one mutex, in call
// order, so racing listeners never lose an event. When the queue is full the
// oldest events are dropped and counted in `droppedEvents`.

import { Mutex } from '../shared/mutex.js';
import { KEYS } from '../shared/storage-keys.js';

export const QUEUE_CAP = 10_000;

export class EventQueue {
  #storage;
  #cap;
  #mutex = new Mutex();
  #log;

  /**
   * @param {{storage: {get: Function, set: Function}, cap?: number, log?: (msg: string, err?: unknown) => void}} deps
   */
  constructor({ storage, cap = QUEUE_CAP, log = () => {} }) {
    this.#storage = storage;
    this.#cap = cap;
    this.#log = log;
  }

  async #read() {
    const got = await this.#storage.get([KEYS.queue, KEYS.droppedEvents]);
    const queue = Array.isArray(got[KEYS.queue]) ? got[KEYS.queue] : [];
    const dropped = Number.isInteger(got[KEYS.droppedEvents]) ? got[KEYS.droppedEvents] : 0;
    return { queue, dropped };
  }

  /**
   * Appends one event. The event may be a promise (an event whose details are
   * still being looked up): its place in the queue is taken now, at the call,
   * so the queue keeps the order in which things happened. A promise that
   * rejects or resolves to null adds nothing.
   * @returns {Promise<boolean>} whether an event was added
   */
  append(eventOrPromise) {
    return this.#mutex.run(async () => {
      let ev;
      try {
        ev = await eventOrPromise;
      } catch (err) {
        this.#log('event not queued', err);
        return false;
      }
      if (!ev) return false;
      const { queue, dropped } = await this.#read();
      queue.push(ev);
      const over = Math.max(0, queue.length - this.#cap);
      const items = { [KEYS.queue]: over ? queue.slice(over) : queue };
      if (over) items[KEYS.droppedEvents] = dropped + over;
      await this.#storage.set(items);
      return true;
    });
  }

  /** The oldest `n` events, in order. */
  peek(n = Infinity) {
    return this.#mutex.run(async () => {
      const { queue } = await this.#read();
      return queue.slice(0, n);
    });
  }

  /**
   * Removes the events with these ids (and nothing else).
   * @param {Iterable<string>} ids
   * @returns {Promise<number>} how many were removed
   */
  remove(ids) {
    const gone = new Set(ids);
    return this.#mutex.run(async () => {
      if (gone.size === 0) return 0;
      const { queue } = await this.#read();
      const kept = queue.filter((ev) => !gone.has(ev?.id));
      const removed = queue.length - kept.length;
      if (removed > 0) await this.#storage.set({ [KEYS.queue]: kept });
      return removed;
    });
  }

  size() {
    return this.#mutex.run(async () => (await this.#read()).queue.length);
  }

  dropped() {
    return this.#mutex.run(async () => (await this.#read()).dropped);
  }

  /** Resolves once every operation started so far has finished. */
  idle() {
    return this.#mutex.idle();
  }
}
