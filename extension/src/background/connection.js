// The link to the daemon: one WebSocket, pairing, hello, the event flush and
// the reconnect rule of docs/protocol.md.
//
//            start / setAddress / reconnect timer / ensureConnected
//                               │
//                               ▼
//   ┌──────────── connect ── socket opens ──┬── token stored ──► hello ─────┐
//   │  (fails:       │                      └── no token ─► pair_request   │
//   │  "offline",    │                                         │           │
//   │   back-off)    │                              pair_pending (code     │
//   │                │                              stored, back-off reset)│
//   │                │                                         │           │
//   │                │                              paired (token stored,  │
//   │                │                              pairing cleared) ─► hello
//   │                │                                                     │
//   │                │          welcome: "connected", back-off reset ◄─────┘
//   │                │          (welcome.state and every later `state`
//   │                │           message → storage.local daemonState)
//   │                │             │
//   │                │             ▼
//   │                │          flush: one `events` batch in flight; its
//   │                │          `ack` removes the listed ids, next batch
//   │                ▼
//   └──── close: 4001/4003 forget the token ("not_paired"); any close
//         clears the batch in flight (its events stay queued) and the
//         pairing code, then reconnects after the back-off delay.
//
// Native pairing: with no token stored, connect first asks the
// native-messaging host (nativePair, background/native.js). On success the
// token and the address the app gave are stored, and the socket opens
// straight to hello; any failure leaves the pair_request path above. An
// unpair by the user (4003) turns native pairing off until a typed code
// pairs the browser again.
//
// Requests (request()): a message with a fresh id, sent only while the
// socket is authenticated (else it fails at once, code "not_connected");
// the daemon's reply with that `re` resolves it, an `error` with that `re`
// rejects it with the daemon's code and message, no answer within 15 s
// rejects it with "timeout", and a closed socket rejects it at once.
//
// Everything the socket, the timers and the public methods trigger runs
// through one serial chain, in arrival order, so no two handlers interleave.
// All I/O is injected: the WebSocket constructor, a storage area, timers,
// random, the identity for hello/pair_request and the keepalive API call.

import { Backoff } from '../shared/backoff.js';
import { daemonUrl, effectiveDaemonAddr } from '../shared/addr.js';
import { Mutex, whenSettled } from '../shared/mutex.js';
import {
  EXTENSION_TYPES, FORGET_TOKEN_CLOSE_CODES, MAX_BATCH, envelope, eventsMessage, hello, pairRequest, parseDaemonFrame, pong,
  takeBatch, validateMessage,
} from '../shared/protocol.js';
import { STATUS } from '../shared/status.js';
import { KEYS } from '../shared/storage-keys.js';

const WS_OPEN = 1;
/** A reconnect timer this late is taken to be frozen; ensureConnected then connects itself. */
const OVERDUE_MS = 5_000;
const TOKEN_RE = /^[0-9a-f]{64}$/;
/** How long a request waits for the daemon's answer. */
export const REQUEST_TIMEOUT_MS = 15_000;
/** Types request() may send: everything but the connection's own traffic. */
const REQUEST_TYPES = new Set(EXTENSION_TYPES.filter((t) => !['pair_request', 'hello', 'events', 'pong'].includes(t)));

/** A request that failed: `code` is the daemon's error code, or "not_connected" / "timeout" / "invalid". */
export class RequestError extends Error {
  constructor(code, message, field) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
    if (field) this.field = field;
  }
}

export class Connection {
  #WebSocket;
  #storage;
  #queue;
  #timers;
  #identity;
  #nativePair;
  #keepalive;
  #log;
  #onStatus;
  #backoff;
  #flushBackoff;
  #now;
  #serial = new Mutex();

  /** The current socket's state, or null when there is none. */
  #sock = null;
  #addr = undefined;
  #reconnectTimer = null;
  #reconnectDueAt = 0;
  #flushTimer = null;
  #maxBatch = MAX_BATCH;
  #status = null;
  #lastError = '';
  #stopped = false;
  /** id → {sock, resolve, reject, timer} of requests waiting for their answer */
  #pending = new Map();

  /**
   * @param {{
   *   WebSocket: new (url: string) => WebSocket,
   *   storage: {get: Function, set: Function, remove: Function},
   *   queue: import('./queue.js').EventQueue,
   *   identity: () => Promise<{client_id: string, browser: string, browser_version: string, ext_version: string}>,
   *   nativePair?: (identity: object) => Promise<{addr: string, token: string} | null>,
   *   keepalive?: () => Promise<unknown>,
   *   timers?: {setTimeout: Function, clearTimeout: Function},
   *   random?: () => number,
   *   now?: () => number,
   *   log?: (msg: string, err?: unknown) => void,
   *   onStatus?: (status: string, lastError: string) => void,
   * }} deps
   */
  constructor({
    WebSocket, storage, queue, identity, keepalive = async () => {}, nativePair = null,
    timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t) },
    random = Math.random, now = () => Date.now(), log = () => {}, onStatus = () => {},
  }) {
    this.#now = now;
    this.#WebSocket = WebSocket;
    this.#storage = storage;
    this.#queue = queue;
    this.#identity = identity;
    this.#keepalive = keepalive;
    this.#nativePair = nativePair;
    this.#timers = timers;
    this.#log = log;
    this.#onStatus = onStatus;
    this.#backoff = new Backoff({ random });
    this.#flushBackoff = new Backoff({ random });
  }

  // ------------------------------------------------------------ public API

  /** Reads the address and connects. Call once at background start-up. */
  start() {
    return this.#run(async () => {
      const got = await this.#storage.get(KEYS.daemonAddr);
      this.#addr = effectiveDaemonAddr(got[KEYS.daemonAddr]);
      // Whatever socket a pairing code belonged to is gone.
      await this.#storage.remove(KEYS.pairing);
      await this.#setStatus(STATUS.connecting, '');
      if (!this.#sock) await this.#connect();
    });
  }

  /**
   * The safety net (1-minute alarm, runtime.onStartup/onInstalled): connects
   * now if there is no socket and no reconnect is pending, or if the pending
   * one is long overdue (its timer was frozen with a suspended background).
   */
  ensureConnected() {
    return this.#run(async () => {
      if (this.#stopped || this.#addr === undefined || this.#sock) return;
      if (this.#reconnectTimer !== null && this.#now() < this.#reconnectDueAt + OVERDUE_MS) return;
      await this.#connect();
    });
  }

  /** The daemon address changed: drop the socket and connect to the new one at once. */
  setAddress(value) {
    return this.#run(async () => {
      if (this.#stopped) return;
      const next = effectiveDaemonAddr(value);
      // Native pairing stores the address it was given and is there already.
      if (next === this.#addr && this.#sock) return;
      this.#addr = next;
      this.#dropSocket('address changed');
      this.#clearReconnect();
      this.#backoff.reset();
      await this.#storage.remove(KEYS.pairing);
      await this.#setStatus(STATUS.connecting, '');
      await this.#connect();
    });
  }

  /** New events were queued: send them if the link is up and no batch is in flight. */
  flush() {
    return this.#run(() => this.#flush());
  }

  /** Closes the socket and stops reconnecting (tests, shutdown). */
  stop() {
    return this.#run(async () => {
      this.#stopped = true;
      this.#clearReconnect();
      this.#dropSocket('stopped');
    });
  }

  /**
   * Sends one request and resolves with the daemon's answer (the whole
   * message), or rejects with a RequestError.
   * @param {string} type  e.g. "break_stop_request"
   * @param {object} body
   * @returns {Promise<{type: string, id: string, re: string, body: object}>}
   */
  request(type, body = {}, { timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
    return new Promise((resolve, reject) => {
      this.#run(() => this.#startRequest(type, body, timeoutMs, resolve, reject)).then(() => {}, reject);
    });
  }

  #startRequest(type, body, timeoutMs, resolve, reject) {
    try {
      if (!REQUEST_TYPES.has(type)) {
        reject(new RequestError('invalid', `${type} is not a request`));
        return;
      }
      const sock = this.#sock;
      if (!sock || sock.phase !== 'ready') {
        reject(new RequestError('not_connected', 'not connected to mindful'));
        return;
      }
      const id = this.#nextId(sock);
      const msg = envelope(type, id, body);
      const check = validateMessage(msg, 'extension');
      if (!check.ok) {
        reject(new RequestError('invalid', check.message, check.field));
        return;
      }
      const timer = this.#timers.setTimeout(() => {
        if (this.#pending.get(id)?.sock !== sock) return;
        this.#pending.delete(id);
        reject(new RequestError('timeout', 'mindful did not answer in time'));
      }, timeoutMs);
      this.#pending.set(id, { sock, resolve, reject, timer });
      if (!this.#send(sock, msg)) this.#settle(id, null, new RequestError('not_connected', 'not connected to mindful'));
    } catch (err) {
      reject(new RequestError('invalid', String(err?.message ?? err)));
    }
  }

  /** Resolves (msg) or rejects (err) the request `id`, if it still waits. */
  #settle(id, msg, err) {
    const p = this.#pending.get(id);
    if (!p) return false;
    this.#pending.delete(id);
    this.#timers.clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(msg);
    return true;
  }

  /** The socket is gone: its requests fail now rather than at their timeout. */
  #failPending(sock) {
    for (const [id, p] of [...this.#pending]) {
      if (p.sock === sock) this.#settle(id, null, new RequestError('not_connected', 'the connection to mindful closed'));
    }
  }

  get status() {
    return this.#status;
  }

  get address() {
    return this.#addr;
  }

  /** Resolves once every queued handler, and everything they started, has run. */
  whenIdle() {
    return whenSettled(this.#serial, this.#queue);
  }

  // -------------------------------------------------------------- plumbing

  #run(fn) {
    return this.#serial.run(async () => {
      try {
        return await fn();
      } catch (err) {
        this.#log('connection handler failed', err);
        return undefined;
      }
    });
  }

  async #setStatus(status, lastError) {
    if (status === this.#status && lastError === this.#lastError) return;
    this.#status = status;
    this.#lastError = lastError;
    try {
      this.#onStatus(status, lastError);
    } catch (err) {
      this.#log('status listener failed', err);
    }
    await this.#storage.set({ [KEYS.status]: status, [KEYS.lastError]: lastError });
  }

  #nextId(sock) {
    sock.seq += 1;
    return `c-${sock.seq}`;
  }

  #send(sock, msg) {
    if (sock !== this.#sock || sock.ws.readyState !== WS_OPEN) return false;
    try {
      sock.ws.send(JSON.stringify(msg));
      return true;
    } catch (err) {
      this.#log(`send ${msg.type} failed`, err);
      return false;
    }
  }

  async #connect() {
    if (this.#stopped) return;
    this.#clearReconnect();
    if (this.#nativePair) {
      await this.#tryNativePairing();
      if (this.#stopped || this.#sock) return;
    }
    const url = daemonUrl(this.#addr);
    let ws;
    try {
      ws = new this.#WebSocket(url);
    } catch (err) {
      // e.g. a CSP refusal or a malformed URL: same as a failed connect.
      this.#log(`cannot open ${url}`, err);
      this.#scheduleReconnect();
      await this.#setStatus(STATUS.offline, `Could not connect to ${url}: ${err?.message ?? err}`);
      return;
    }
    const sock = { ws, url, opened: false, phase: 'opening', seq: 0, inflight: null };
    this.#sock = sock;
    ws.onopen = () => this.#run(() => this.#onOpen(sock));
    ws.onmessage = (e) => this.#run(() => this.#onMessage(sock, e?.data));
    ws.onerror = () => {}; // a close event always follows
    ws.onclose = (e) => this.#run(() => this.#onClose(sock, e?.code ?? 1006, e?.reason ?? ''));
  }

  /**
   * Without a token, asks the native-messaging host first (native.js): on
   * success the token, and the address the app gave, are stored, and the
   * socket about to open says hello. Any failure leaves code pairing.
   */
  async #tryNativePairing() {
    const token = (await this.#storage.get(KEYS.token))[KEYS.token];
    if (typeof token === 'string' && TOKEN_RE.test(token)) return;
    const got = await this.#nativePair(await this.#identity());
    if (!got || this.#stopped) return;
    const set = { [KEYS.token]: got.token };
    if (got.addr !== this.#addr) {
      set[KEYS.daemonAddr] = got.addr;
      this.#addr = got.addr;
    }
    await this.#storage.set(set);
    this.#backoff.reset();
    this.#log(`paired through native messaging with mindful at ${got.addr}`);
  }

  #dropSocket(reason) {
    const sock = this.#sock;
    if (!sock) return;
    this.#sock = null;
    this.#clearFlushTimer();
    this.#failPending(sock);
    sock.ws.onopen = sock.ws.onmessage = sock.ws.onclose = sock.ws.onerror = null;
    try {
      sock.ws.close(1000, reason);
    } catch (err) {
      this.#log('close failed', err);
    }
  }

  #scheduleReconnect() {
    if (this.#stopped) return;
    this.#clearReconnect();
    const delay = this.#backoff.next();
    this.#reconnectDueAt = this.#now() + delay;
    this.#reconnectTimer = this.#timers.setTimeout(() => {
      this.#reconnectTimer = null;
      this.#run(async () => {
        if (!this.#sock) await this.#connect();
      });
    }, delay);
  }

  #clearReconnect() {
    if (this.#reconnectTimer !== null) {
      this.#timers.clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = null;
    }
  }

  #scheduleFlushRetry() {
    this.#clearFlushTimer();
    const delay = this.#flushBackoff.next();
    this.#flushTimer = this.#timers.setTimeout(() => {
      this.#flushTimer = null;
      this.#run(() => this.#flush());
    }, delay);
  }

  #clearFlushTimer() {
    if (this.#flushTimer !== null) {
      this.#timers.clearTimeout(this.#flushTimer);
      this.#flushTimer = null;
    }
  }

  async #forgetToken() {
    await this.#storage.remove([KEYS.token, KEYS.pairing]);
  }

  // -------------------------------------------------------- socket events

  async #onOpen(sock) {
    if (sock !== this.#sock) return;
    sock.opened = true;
    const identity = await this.#identity();
    const token = (await this.#storage.get(KEYS.token))[KEYS.token];
    if (sock !== this.#sock) return;
    if (typeof token === 'string' && TOKEN_RE.test(token)) {
      sock.phase = 'hello';
      this.#send(sock, hello(this.#nextId(sock), token, identity));
    } else {
      sock.phase = 'pairing';
      this.#send(sock, pairRequest(this.#nextId(sock), identity));
      await this.#setStatus(STATUS.pairing, '');
    }
  }

  async #onMessage(sock, data) {
    if (sock !== this.#sock) return;
    const parsed = parseDaemonFrame(data);
    if (!parsed.ok) {
      this.#log(`ignored a frame from the daemon: ${parsed.code}: ${parsed.message}`);
      return;
    }
    const msg = parsed.msg;
    // The answer to a request (its error is handled below, with the code).
    if (msg.type !== 'error' && typeof msg.re === 'string' && this.#pending.get(msg.re)?.sock === sock) {
      this.#settle(msg.re, msg, null);
      return;
    }
    switch (msg.type) {
      case 'pair_pending': {
        this.#backoff.reset();
        await this.#storage.set({ [KEYS.pairing]: { code: msg.body.code, expires_at: msg.body.expires_at } });
        await this.#setStatus(STATUS.pairing, '');
        return;
      }
      case 'paired': {
        await this.#storage.set({ [KEYS.token]: msg.body.token });
        // The user paired by hand: native pairing may help again later.
        await this.#storage.remove([KEYS.pairing, KEYS.nativePairingOff]);
        if (sock !== this.#sock) return;
        sock.phase = 'hello';
        this.#send(sock, hello(this.#nextId(sock), msg.body.token, await this.#identity()));
        await this.#setStatus(STATUS.connecting, '');
        return;
      }
      case 'welcome': {
        sock.phase = 'ready';
        this.#backoff.reset();
        this.#flushBackoff.reset();
        const mb = msg.body.max_batch;
        this.#maxBatch = Number.isInteger(mb) && mb >= 1 ? Math.min(mb, MAX_BATCH) : MAX_BATCH;
        await this.#storage.set({ [KEYS.daemonState]: msg.body.state ?? {} });
        await this.#storage.remove(KEYS.pairing);
        await this.#setStatus(STATUS.connected, '');
        await this.#flush();
        return;
      }
      case 'state':
        // The same body as welcome.state; enforcement.js rebuilds from it.
        if (sock.phase !== 'ready') return;
        await this.#storage.set({ [KEYS.daemonState]: msg.body });
        return;
      case 'ack':
        await this.#onAck(sock, msg);
        return;
      case 'error':
        await this.#onError(sock, msg);
        return;
      case 'ping': {
        // Firefox's event page stays alive only through extension API calls.
        try {
          await this.#keepalive();
        } catch (err) {
          this.#log('keepalive call failed', err);
        }
        this.#send(sock, pong(this.#nextId(sock), msg.id));
        return;
      }
      case 'pong':
        return;
    }
  }

  async #onAck(sock, msg) {
    const ids = msg.body.ids;
    const rejected = msg.body.rejected ?? [];
    for (const r of rejected) this.#log(`daemon rejected event ${r.id}: ${r.field ?? ''} ${r.message ?? ''}`);
    const done = new Set([...ids, ...rejected.map((r) => r.id)]);
    // Whatever an ack lists is stored (or can never be): drop it even if the
    // ack is for an older batch.
    await this.#queue.remove(done);
    if (sock !== this.#sock || !sock.inflight || sock.inflight.id !== msg.re) return;
    const batch = sock.inflight.ids;
    sock.inflight = null;
    if (batch.some((id) => done.has(id))) {
      this.#flushBackoff.reset();
      await this.#flush();
    } else {
      // The ack settled none of the batch: do not resend it in a tight loop.
      this.#scheduleFlushRetry();
    }
  }

  async #onError(sock, msg) {
    const { code, message = '', field } = msg.body;
    if (typeof msg.re === 'string' && this.#pending.get(msg.re)?.sock === sock) {
      this.#settle(msg.re, null, new RequestError(code, message || code, field));
      return;
    }
    const text = `mindful answered ${code}${message ? `: ${message}` : ''}`;
    this.#log(text + (field ? ` (${field})` : ''));
    if (code === 'unauthorized') {
      await this.#forgetToken();
      await this.#setStatus(STATUS.notPaired, 'mindful no longer knows this browser; pairing again.');
      // The daemon closes with 4001; close too in case it does not.
      if (sock === this.#sock) sock.ws.close(1000, 'unauthorized');
      return;
    }
    if (code === 'pairing_unavailable') {
      await this.#setStatus(STATUS.notPaired, 'mindful has too many pairing requests waiting; trying again soon.');
      if (sock === this.#sock) sock.ws.close(1000, 'pairing unavailable');
      return;
    }
    if (sock.inflight && msg.re === sock.inflight.id) {
      // The batch was not stored (`unavailable`, or refused whole): keep every
      // event and resend after a back-off delay.
      sock.inflight = null;
      this.#scheduleFlushRetry();
    }
  }

  async #onClose(sock, code, reason) {
    if (sock !== this.#sock) return;
    this.#sock = null;
    this.#clearFlushTimer();
    this.#failPending(sock);
    const why = `code ${code}${reason ? `: ${reason}` : ''}`;
    if (FORGET_TOKEN_CLOSE_CODES.includes(code)) {
      await this.#forgetToken();
      // Unpaired by the user: do not let native messaging undo that.
      if (code === 4003) await this.#storage.set({ [KEYS.nativePairingOff]: true });
      await this.#setStatus(
        STATUS.notPaired,
        code === 4003 ? 'This browser was unpaired from mindful; pairing again.' : 'mindful did not accept the stored token; pairing again.',
      );
    } else {
      // A pairing code is void once its socket is gone.
      await this.#storage.remove(KEYS.pairing);
      if (!sock.opened) {
        await this.#setStatus(STATUS.offline, `Could not reach mindful at ${sock.url} (${why}).`);
      } else if (sock.phase === 'pairing') {
        await this.#setStatus(STATUS.notPaired, `The pairing connection closed (${why}).`);
      } else {
        await this.#setStatus(STATUS.offline, `The connection to mindful closed (${why}).`);
      }
    }
    this.#scheduleReconnect();
  }

  // ------------------------------------------------------------------ flush

  async #flush() {
    const sock = this.#sock;
    if (!sock || sock.phase !== 'ready' || sock.inflight || this.#flushTimer !== null) return;
    const pending = await this.#queue.peek(this.#maxBatch);
    if (sock !== this.#sock || sock.inflight || pending.length === 0) return;
    const id = this.#nextId(sock);
    const batch = takeBatch(pending, { id, maxBatch: this.#maxBatch });
    sock.inflight = { id, ids: batch.map((ev) => ev.id) };
    if (!this.#send(sock, eventsMessage(id, batch))) sock.inflight = null;
  }
}
