// Reconnect back-off, exactly as docs/protocol.md says:
// wait random(0, min(30 s, 0.5 s × 2^attempt)) (full jitter) before the next
// try; reset attempt to 0 on `welcome` or `pair_pending`.

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 30_000;

/** Upper bound (exclusive) of the delay for an attempt number. */
export function backoffCeiling(attempt, { base = BACKOFF_BASE_MS, cap = BACKOFF_CAP_MS } = {}) {
  const n = Math.max(0, Math.floor(attempt));
  // 2 ** n overflows to Infinity for huge n; Math.min still gives the cap.
  return Math.min(cap, base * 2 ** n);
}

/** Full-jitter delay in whole milliseconds: floor(random() × ceiling), random() ∈ [0, 1). */
export function backoffDelay(attempt, random = Math.random, opts) {
  const ceiling = backoffCeiling(attempt, opts);
  const r = Math.min(Math.max(Number(random()) || 0, 0), 1 - Number.EPSILON);
  return Math.floor(r * ceiling);
}

/** Attempt counter around backoffDelay. */
export class Backoff {
  #attempt = 0;
  #random;
  #opts;

  constructor({ random = Math.random, base = BACKOFF_BASE_MS, cap = BACKOFF_CAP_MS } = {}) {
    this.#random = random;
    this.#opts = { base, cap };
  }

  get attempt() {
    return this.#attempt;
  }

  /** The delay before the next try; counts the attempt. */
  next() {
    const delay = backoffDelay(this.#attempt, this.#random, this.#opts);
    // Past 2^16 the ceiling is long capped; stop counting so it never overflows.
    if (this.#attempt < 64) this.#attempt += 1;
    return delay;
  }

  reset() {
    this.#attempt = 0;
  }
}
