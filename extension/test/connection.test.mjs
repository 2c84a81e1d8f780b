import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '../src/background/connection.js';
import { EventQueue } from '../src/background/queue.js';
import { watchDaemonAddr } from '../src/background/settings.js';
import { envelope, validateMessage } from '../src/shared/protocol.js';
import { KEYS } from '../src/shared/storage-keys.js';
import { FakeTimers, IDENTITY, MemoryStorage, TOKEN, makeFakeWebSocket, sampleEvent } from './fakes.mjs';

function setup({ initial = {}, random = () => 0.5 } = {}) {
  const storage = new MemoryStorage(initial);
  const queue = new EventQueue({ storage });
  const timers = new FakeTimers();
  const WS = makeFakeWebSocket();
  const statuses = [];
  const keepalive = { calls: 0, sentAtCall: [] };
  const conn = new Connection({
    WebSocket: WS,
    storage,
    queue,
    timers,
    random,
    now: () => timers.now,
    identity: async () => IDENTITY,
    keepalive: async () => {
      keepalive.calls += 1;
      keepalive.sentAtCall.push(WS.instances.at(-1)?.sent.length);
    },
    onStatus: (s) => statuses.push(s),
  });
  const idle = () => conn.whenIdle();
  const ws = () => WS.instances.at(-1);
  /** Runs every sent message through the validator: the extension never sends an invalid frame. */
  const sentValid = () => {
    for (const sock of WS.instances) {
      for (const m of sock.sent) {
        const r = validateMessage(m, 'extension');
        assert.ok(r.ok, `sent an invalid ${m.type}: ${r.message}`);
      }
    }
  };
  return { storage, queue, timers, WS, conn, statuses, keepalive, idle, ws, sentValid };
}

const welcome = (re, body = {}) =>
  envelope('welcome', 'd-1', { client_id: IDENTITY.client_id, daemon_version: '0.1.0', ping_interval_ms: 15000, max_batch: 200, state: {}, ...body }, re);
const ack = (re, ids, rejected = []) => envelope('ack', `d-ack-${re}`, { ids, rejected }, re);

/** Opens a fresh connection with a stored token all the way to welcome. */
async function connected(h, welcomeBody) {
  await h.conn.start();
  await h.idle();
  h.ws().serverOpen();
  await h.idle();
  const helloMsg = h.ws().last;
  assert.equal(helloMsg.type, 'hello');
  h.ws().serverSend(welcome(helloMsg.id, welcomeBody));
  await h.idle();
  assert.equal(h.conn.status, 'connected');
}

test('full life: pair, hello, welcome, batched flush, ack, drop mid-flight, replay with the same ids and ts', async () => {
  const h = setup();
  const { storage, queue, timers, WS } = h;

  // 440 events happened before the daemon was reachable.
  const events = Array.from({ length: 440 }, (_, i) => sampleEvent(i + 1));
  for (const ev of events) await queue.append(ev);
  const original = structuredClone(storage.peek(KEYS.queue));

  await h.conn.start();
  await h.idle();
  assert.equal(WS.instances.length, 1);
  assert.equal(h.ws().url, 'ws://127.0.0.1:17717/ws');
  assert.equal(storage.peek(KEYS.status), 'connecting');

  // unpaired → pair_request
  h.ws().serverOpen();
  await h.idle();
  assert.equal(h.ws().sent.length, 1);
  const pr = h.ws().sent[0];
  assert.equal(pr.type, 'pair_request');
  assert.deepEqual(pr.body, IDENTITY);
  assert.equal(storage.peek(KEYS.status), 'pairing');

  // pair_pending → code stored as a string, leading zero kept
  h.ws().serverSend(envelope('pair_pending', 'd-1', { code: '042137', expires_at: '2026-11-23T15:31:26Z' }, pr.id));
  await h.idle();
  assert.deepEqual(storage.peek(KEYS.pairing), { code: '042137', expires_at: '2026-11-23T15:31:26Z' });
  assert.equal(storage.peek(KEYS.status), 'pairing');
  assert.equal(h.ws().sent.length, 1, 'nothing sent while waiting for approval');

  // paired → token stored, pairing cleared, hello on the same socket
  h.ws().serverSend(envelope('paired', 'd-2', { client_id: IDENTITY.client_id, token: TOKEN }, pr.id));
  await h.idle();
  assert.equal(storage.peek(KEYS.token), TOKEN);
  assert.equal(storage.peek(KEYS.pairing), undefined);
  assert.equal(WS.instances.length, 1, 'same socket');
  const hl = h.ws().sent[1];
  assert.equal(hl.type, 'hello');
  assert.equal(hl.body.token, TOKEN);
  assert.equal(hl.body.client_id, IDENTITY.client_id);
  assert.equal(h.ws().sentOf('events').length, 0, 'no events before welcome');

  // welcome → connected, first batch of at most max_batch
  h.ws().serverSend(welcome(hl.id, { max_batch: 150 }));
  await h.idle();
  assert.equal(storage.peek(KEYS.status), 'connected');
  assert.equal(storage.peek(KEYS.lastError), '');
  let batches = h.ws().sentOf('events');
  assert.equal(batches.length, 1, 'one batch in flight');
  assert.deepEqual(batches[0].body.events, original.slice(0, 150));

  // ack → those ids leave the queue; the next batch goes out
  h.ws().serverSend(ack(batches[0].id, batches[0].body.events.map((e) => e.id)));
  await h.idle();
  assert.equal((await queue.peek()).length, 290);
  batches = h.ws().sentOf('events');
  assert.equal(batches.length, 2);
  assert.deepEqual(batches[1].body.events, original.slice(150, 300));

  // an event that happens meanwhile waits for the batch in flight
  const late = sampleEvent(9999);
  await queue.append(late);
  await h.conn.flush();
  await h.idle();
  assert.equal(h.ws().sentOf('events').length, 2, 'still one batch in flight');

  // the socket drops with batch 2 unacknowledged: nothing is lost
  h.ws().serverClose(1006);
  await h.idle();
  assert.equal(storage.peek(KEYS.status), 'offline');
  assert.equal((await queue.peek()).length, 291);
  assert.equal(timers.pending.length, 1, 'a reconnect is scheduled');
  assert.equal(timers.pending[0].ms, 250, 'attempt 0 after welcome: random 0.5 × 500 ms');

  // reconnect: hello with the stored token, welcome, replay
  timers.advance(250);
  await h.idle();
  assert.equal(WS.instances.length, 2);
  h.ws().serverOpen();
  await h.idle();
  assert.equal(h.ws().sent[0].type, 'hello', 'paired now: hello, not pair_request');
  h.ws().serverSend(welcome(h.ws().sent[0].id, { max_batch: 150 }));
  await h.idle();
  const replay = h.ws().sentOf('events');
  assert.equal(replay.length, 1);
  assert.deepEqual(replay[0].body.events, original.slice(150, 300), 'same ids and ts as when they happened');

  h.ws().serverSend(ack(replay[0].id, replay[0].body.events.map((e) => e.id)));
  await h.idle();
  const last = h.ws().sentOf('events')[1];
  assert.deepEqual(last.body.events, [...original.slice(300), late]);
  h.ws().serverSend(ack(last.id, last.body.events.map((e) => e.id)));
  await h.idle();
  assert.deepEqual(await queue.peek(), []);
  assert.equal(h.ws().sentOf('events').length, 2, 'nothing left to send');
  h.sentValid();
  // ids unique per connection
  for (const sock of WS.instances) {
    const ids = sock.sent.map((m) => m.id);
    assert.equal(new Set(ids).size, ids.length);
  }
});

test('ack removes exactly the acked and rejected ids; the rest is resent', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  const evs = Array.from({ length: 5 }, (_, i) => sampleEvent(i + 1));
  for (const ev of evs) await h.queue.append(ev);
  await connected(h);
  const b1 = h.ws().sentOf('events')[0];
  assert.equal(b1.body.events.length, 5);
  h.ws().serverSend(
    ack(b1.id, [evs[0].id, evs[2].id], [{ id: evs[4].id, field: 'events[4].type', message: 'unknown event type' }]),
  );
  await h.idle();
  const left = (await h.queue.peek()).map((e) => e.id);
  assert.deepEqual(left, [evs[1].id, evs[3].id]);
  const b2 = h.ws().sentOf('events')[1];
  assert.deepEqual(b2.body.events.map((e) => e.id), left, 'the unacknowledged events go again');
});

test('an ack for a batch that settles nothing backs off instead of resending at once', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  await h.queue.append(sampleEvent(1));
  await connected(h);
  const b1 = h.ws().sentOf('events')[0];
  h.ws().serverSend(ack(b1.id, []));
  await h.idle();
  assert.equal(h.ws().sentOf('events').length, 1);
  assert.equal(h.timers.pending.length, 1);
  h.timers.advance(h.timers.pending[0].ms);
  await h.idle();
  assert.equal(h.ws().sentOf('events').length, 2);
  assert.equal((await h.queue.peek()).length, 1, 'never dropped without an ack');
});

test('error unavailable for a batch keeps every event and retries later', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  await h.queue.append(sampleEvent(1));
  await connected(h);
  const b1 = h.ws().sentOf('events')[0];
  h.ws().serverSend(envelope('error', 'd-3', { code: 'unavailable', message: 'disk full' }, b1.id));
  await h.idle();
  assert.equal((await h.queue.peek()).length, 1);
  assert.equal(h.ws().sentOf('events').length, 1);
  h.timers.advance(h.timers.pending[0].ms);
  await h.idle();
  const b2 = h.ws().sentOf('events')[1];
  assert.deepEqual(b2.body.events, b1.body.events);
});

test('hello refused as unavailable (a damaged database, close 1013) keeps the token and every event, and sends them once mindful takes them', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  const evs = [sampleEvent(1), sampleEvent(2)];
  for (const ev of evs) await h.queue.append(ev);
  await h.conn.start();
  await h.idle();
  h.ws().serverOpen();
  await h.idle();
  const hello1 = h.ws().last;
  assert.equal(hello1.type, 'hello');
  h.ws().serverSend(envelope('error', 'd-1', { code: 'unavailable', message: "mindful's database is damaged (database disk image is malformed); nothing is stored until it is recovered; keep the events and try again later" }, hello1.id));
  h.ws().serverClose(1013, 'database damaged');
  await h.idle();
  assert.equal(h.storage.peek(KEYS.token), TOKEN, 'token kept');
  assert.deepEqual((await h.queue.peek()).map((e) => e.id), evs.map((e) => e.id), 'events kept');
  assert.equal(h.WS.instances[0].sentOf('events').length, 0, 'no events sent before welcome');
  // Later (after `mindful db recover`) the hello is welcomed and the
  // queue goes out and is acknowledged.
  h.timers.advance(h.timers.pending[0].ms);
  await h.idle();
  h.ws().serverOpen();
  await h.idle();
  const hello2 = h.ws().last;
  assert.equal(hello2.type, 'hello');
  h.ws().serverSend(welcome(hello2.id));
  await h.idle();
  const b = h.ws().sentOf('events')[0];
  assert.deepEqual(b.body.events.map((e) => e.id), evs.map((e) => e.id));
  h.ws().serverSend(ack(b.id, b.body.events.map((e) => e.id)));
  await h.idle();
  assert.deepEqual(await h.queue.peek(), []);
  h.sentValid();
});

for (const code of [4001, 4003]) {
  test(`close ${code} forgets the token and pairs again`, async () => {
    const h = setup({ initial: { [KEYS.token]: TOKEN } });
    await h.queue.append(sampleEvent(1));
    await h.conn.start();
    await h.idle();
    h.ws().serverOpen();
    await h.idle();
    assert.equal(h.ws().sent[0].type, 'hello');
    h.ws().serverClose(code, 'token unknown');
    await h.idle();
    assert.equal(h.storage.peek(KEYS.token), undefined, 'token forgotten');
    assert.equal(h.storage.peek(KEYS.status), 'not_paired');
    assert.equal((await h.queue.peek()).length, 1, 'events kept');
    h.timers.advance(h.timers.pending[0].ms);
    await h.idle();
    h.ws().serverOpen();
    await h.idle();
    assert.equal(h.ws().sent[0].type, 'pair_request');
    assert.equal(h.storage.peek(KEYS.status), 'pairing');
  });
}

test('error unauthorized forgets the token too', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  await h.conn.start();
  await h.idle();
  h.ws().serverOpen();
  await h.idle();
  h.ws().serverSend(envelope('error', 'd-1', { code: 'unauthorized', message: 'bad token' }, h.ws().sent[0].id));
  await h.idle();
  assert.equal(h.storage.peek(KEYS.token), undefined);
  assert.equal(h.storage.peek(KEYS.status), 'not_paired');
  h.ws().serverClose(4001);
  await h.idle();
  h.timers.advance(h.timers.pending[0].ms);
  await h.idle();
  h.ws().serverOpen();
  await h.idle();
  assert.equal(h.ws().sent[0].type, 'pair_request');
});

for (const code of [1000, 1001, 1009, 4002, 4008]) {
  test(`close ${code} keeps the token and reconnects with back-off`, async () => {
    const h = setup({ initial: { [KEYS.token]: TOKEN } });
    await connected(h);
    h.ws().serverClose(code);
    await h.idle();
    assert.equal(h.storage.peek(KEYS.token), TOKEN);
    assert.equal(h.timers.pending.length, 1);
    h.timers.advance(h.timers.pending[0].ms);
    await h.idle();
    assert.equal(h.WS.instances.length, 2);
  });
}

test('ping is answered with pong (re = ping id) after one extension API call', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  await connected(h);
  const before = h.ws().sent.length;
  h.ws().serverSend(envelope('ping', 'd-17', {}));
  await h.idle();
  const p = h.ws().last;
  assert.equal(p.type, 'pong');
  assert.equal(p.re, 'd-17');
  assert.notEqual(p.id, 'd-17');
  assert.equal(h.keepalive.calls, 1);
  assert.equal(h.keepalive.sentAtCall[0], before, 'the API call came before the pong');
  h.sentValid();
});

test('a failing keepalive call still gets the pong out', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  await connected(h);
  // swap in a throwing keepalive via a fresh connection
  const WS = makeFakeWebSocket();
  const conn = new Connection({
    WebSocket: WS, storage: h.storage, queue: h.queue, timers: new FakeTimers(), identity: async () => IDENTITY,
    keepalive: async () => { throw new Error('extension context invalidated'); },
  });
  await conn.start();
  await conn.whenIdle();
  WS.instances[0].serverOpen();
  await conn.whenIdle();
  WS.instances[0].serverSend(envelope('ping', 'd-5', {}));
  await conn.whenIdle();
  assert.equal(WS.instances[0].last.type, 'pong');
  assert.equal(WS.instances[0].last.re, 'd-5');
});

test('failed connects back off with full jitter, growing to the cap, reset by pair_pending and welcome', async () => {
  const h = setup({ random: () => 0.999999 });
  await h.conn.start();
  await h.idle();
  const delays = [];
  for (let i = 0; i < 9; i++) {
    h.ws().fail();
    await h.idle();
    assert.equal(h.storage.peek(KEYS.status), 'offline');
    assert.match(h.storage.peek(KEYS.lastError), /127\.0\.0\.1:17717/);
    const [t] = h.timers.pending;
    delays.push(t.ms);
    h.timers.advance(t.ms);
    await h.idle();
  }
  assert.deepEqual(delays, [499, 999, 1999, 3999, 7999, 15999, 29999, 29999, 29999]);
  // pair_pending resets the attempt
  h.ws().serverOpen();
  await h.idle();
  h.ws().serverSend(envelope('pair_pending', 'd-1', { code: '000001', expires_at: '2026-11-23T15:31:26Z' }, 'c-1'));
  await h.idle();
  h.ws().serverClose(1000);
  await h.idle();
  assert.equal(h.timers.pending[0].ms, 499);
  assert.equal(h.storage.peek(KEYS.pairing), undefined, 'the code died with its socket');
  assert.equal(h.WS.instances.length, 10);
});

test('the badge callback follows the status', async () => {
  const h = setup();
  await h.conn.start();
  await h.idle();
  h.ws().fail();
  await h.idle();
  h.timers.advance(h.timers.pending[0].ms);
  await h.idle();
  h.ws().serverOpen();
  await h.idle();
  assert.deepEqual(h.statuses, ['connecting', 'offline', 'pairing']);
});

test('a storage.onChanged of daemonAddr reconnects at once to the new address', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  watchDaemonAddr(h.storage.onChanged, h.conn);
  await h.queue.append(sampleEvent(1));
  await connected(h);
  const old = h.ws();
  assert.equal(old.sentOf('events').length, 1, 'batch in flight on the old socket');
  await h.storage.set({ [KEYS.daemonAddr]: 'localhost:23456' });
  await h.idle();
  assert.deepEqual(old.closedByClient?.code, 1000);
  assert.equal(h.WS.instances.length, 2);
  assert.equal(h.ws().url, 'ws://localhost:23456/ws');
  assert.equal(h.timers.pending.length, 0, 'at once, not after a back-off delay');
  // a late ack or close from the old socket changes nothing
  old.serverSend(ack(old.sentOf('events')[0].id, []));
  old.serverClose(1000);
  await h.idle();
  assert.equal(h.WS.instances.length, 2);
  h.ws().serverOpen();
  await h.idle();
  h.ws().serverSend(welcome(h.ws().sent[0].id));
  await h.idle();
  assert.deepEqual(h.ws().sentOf('events')[0].body.events, [sampleEvent(1)], 'the in-flight batch is replayed');
});

test('start uses the stored daemonAddr; an invalid stored one falls back to the default', async () => {
  const a = setup({ initial: { [KEYS.daemonAddr]: '[::1]:4000' } });
  await a.conn.start();
  await a.idle();
  assert.equal(a.ws().url, 'ws://[::1]:4000/ws');
  const b = setup({ initial: { [KEYS.daemonAddr]: 'evil.example:80' } });
  await b.conn.start();
  await b.idle();
  assert.equal(b.ws().url, 'ws://127.0.0.1:17717/ws');
});

test('ensureConnected (alarm, onStartup) connects only when the link is down', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  await connected(h);
  await h.conn.ensureConnected();
  await h.idle();
  assert.equal(h.WS.instances.length, 1, 'link up: nothing to do');
  h.ws().serverClose(1001);
  await h.idle();
  assert.equal(h.timers.pending.length, 1);
  await h.conn.ensureConnected();
  await h.idle();
  assert.equal(h.WS.instances.length, 1, 'a reconnect is already scheduled');
  // The background was frozen: its clock moved on but the timer never fired.
  h.timers.now += 60_000;
  await h.conn.ensureConnected();
  await h.idle();
  assert.equal(h.WS.instances.length, 2, 'the alarm reconnected');
  assert.equal(h.timers.pending.length, 0, 'the frozen timer was cleared');
  h.ws().serverOpen();
  await h.idle();
  assert.equal(h.ws().sent[0].type, 'hello');
});

test('ensureConnected does nothing before start or after stop', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  await h.conn.ensureConnected();
  await h.idle();
  assert.equal(h.WS.instances.length, 0, 'not started yet: nothing');
  await h.conn.start();
  await h.idle();
  await h.conn.stop();
  await h.idle();
  await h.conn.ensureConnected();
  await h.idle();
  assert.equal(h.WS.instances.length, 1, 'stopped: stays down');
});

test('malformed frames from the daemon are ignored and the link stays usable', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  await connected(h);
  h.ws().serverSend('not json');
  h.ws().serverSend({ v: 1, type: 'pair_pending', id: 'd-9', re: 'c-1', body: { code: 42137, expires_at: 'x' } });
  h.ws().serverSend({ v: 1, type: 'launch_missiles', id: 'd-10', body: {} });
  await h.idle();
  assert.equal(h.storage.peek(KEYS.pairing), undefined);
  assert.equal(h.conn.status, 'connected');
  h.ws().serverSend(envelope('ping', 'd-11', {}));
  await h.idle();
  assert.equal(h.ws().last.re, 'd-11');
});

test('a stale status from a previous run is replaced, and a stale pairing code cleared, at start', async () => {
  const h = setup({ initial: { [KEYS.status]: 'connected', [KEYS.pairing]: { code: '123456', expires_at: '2026-11-23T15:31:26Z' } } });
  await h.conn.start();
  await h.idle();
  assert.equal(h.storage.peek(KEYS.status), 'connecting');
  assert.equal(h.storage.peek(KEYS.pairing), undefined);
});

test('pairing_unavailable closes and asks again later', async () => {
  const h = setup();
  await h.conn.start();
  await h.idle();
  h.ws().serverOpen();
  await h.idle();
  h.ws().serverSend(envelope('error', 'd-1', { code: 'pairing_unavailable', message: 'too many' }, 'c-1'));
  await h.idle();
  assert.equal(h.storage.peek(KEYS.status), 'not_paired');
  assert.equal(h.ws().closedByClient?.code, 1000);
  h.ws().serverClose(1000);
  await h.idle();
  h.timers.advance(h.timers.pending[0].ms);
  await h.idle();
  h.ws().serverOpen();
  await h.idle();
  assert.equal(h.ws().sent[0].type, 'pair_request');
});

test('the token is never part of the status or any non-hello message', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  await h.queue.append(sampleEvent(1));
  await connected(h);
  h.ws().serverSend(envelope('ping', 'd-2', {}));
  await h.idle();
  for (const m of h.ws().sent) {
    if (m.type !== 'hello') assert.ok(!JSON.stringify(m).includes(TOKEN), m.type);
  }
  assert.ok(!JSON.stringify(h.statuses).includes(TOKEN));
});

test('welcome.state and every later state message are cached in daemonState; a state before welcome is not', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  await h.conn.start();
  await h.idle();
  h.ws().serverOpen();
  await h.idle();
  h.ws().serverSend(envelope('state', 'd-0', { habit_opens_today: 99 }));
  await h.idle();
  assert.equal(h.storage.peek(KEYS.daemonState), undefined, 'not authenticated yet: ignored');
  h.ws().serverSend(welcome(h.ws().last.id, { state: { habit_opens_today: 2, feeds: [] } }));
  await h.idle();
  assert.deepEqual(h.storage.peek(KEYS.daemonState), { habit_opens_today: 2, feeds: [] });
  const body = { feeds: [{ id: 'x', name: 'X', hosts: ['x.com'], paths: ['/home'], enabled: true }], prompts_paused_until: '2026-11-23T16:30:00Z', habit_opens_today: 3 };
  h.ws().serverSend(envelope('state', 'd-9', body));
  await h.idle();
  assert.deepEqual(h.storage.peek(KEYS.daemonState), body);
  assert.equal(h.conn.status, 'connected');
});

// ---------------------------------------------------------------- requests

/** Settles a promise without waiting: 'pending', or its outcome. */
async function peekPromise(p) {
  const marker = Symbol('pending');
  const r = await Promise.race([p.then((v) => ({ v }), (e) => ({ e })), new Promise((res) => setImmediate(() => res(marker)))]);
  return r === marker ? 'pending' : r;
}

test('request: break_stop_request gets its break_stop_ticket by re, the next request its own answer', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  await connected(h);
  const p = h.conn.request('break_stop_request', {});
  await h.idle();
  const sent = h.ws().last;
  assert.equal(sent.type, 'break_stop_request');
  assert.deepEqual(sent.body, {});
  assert.equal(await peekPromise(p), 'pending');
  // An unrelated reply (another id) does not answer it.
  h.ws().serverSend(envelope('break_stopped', 'd-8', { name: 'x', at: '2026-11-23T15:45:12Z' }, 'c-999'));
  await h.idle();
  assert.equal(await peekPromise(p), 'pending');
  const ticket = { ticket: '5f0c8a7e2b1d4c9a8e7f6a5b', not_before: '2026-11-23T15:45:10Z', name: 'One day off', end: null };
  h.ws().serverSend(envelope('break_stop_ticket', 'd-9', ticket, sent.id));
  await h.idle();
  const got = await p;
  assert.equal(got.type, 'break_stop_ticket');
  assert.deepEqual(got.body, ticket);

  const q = h.conn.request('break_stop', { ticket: ticket.ticket, reason: 'my sister sent a link' });
  await h.idle();
  const stop = h.ws().last;
  assert.equal(stop.type, 'break_stop');
  assert.notEqual(stop.id, sent.id, 'a fresh id');
  h.ws().serverSend(envelope('break_stopped', 'd-10', { name: 'One day off', at: '2026-11-23T15:45:12Z' }, stop.id));
  await h.idle();
  assert.equal((await q).body.name, 'One day off');
  assert.equal(h.timers.pending.filter((t) => t.ms === 15_000).length, 0, 'timeouts cleared');
  h.sentValid();
});

test('request: an error with its re rejects with the daemon\'s code and message; the link stays up', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  await connected(h);
  const p = h.conn.request('break_stop_request', {});
  await h.idle();
  h.ws().serverSend(envelope('error', 'd-5', { code: 'refused', message: 'this break is locked: it cannot be ended early' }, h.ws().last.id));
  await h.idle();
  const out = await peekPromise(p);
  assert.equal(out.e.name, 'RequestError');
  assert.equal(out.e.code, 'refused');
  assert.equal(out.e.message, 'this break is locked: it cannot be ended early');
  const q = h.conn.request('break_stop', { ticket: 't', reason: 'x' });
  await h.idle();
  h.ws().serverSend(envelope('error', 'd-6', { code: 'invalid', message: 'reason: say in a few words', field: 'reason' }, h.ws().last.id));
  await h.idle();
  const out2 = await peekPromise(q);
  assert.deepEqual([out2.e.code, out2.e.field], ['invalid', 'reason']);
  assert.equal(h.conn.status, 'connected');
  assert.equal(h.ws().closedByClient, null);
});

test('request: no answer within 15 s rejects with "timeout"; a late answer is ignored', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  await connected(h);
  const p = h.conn.request('break_stop_request', {});
  await h.idle();
  const id = h.ws().last.id;
  h.timers.advance(14_999);
  assert.equal(await peekPromise(p), 'pending');
  h.timers.advance(1);
  const out = await peekPromise(p);
  assert.equal(out.e.code, 'timeout');
  h.ws().serverSend(envelope('break_stop_ticket', 'd-9', { ticket: 't', not_before: '2026-11-23T15:45:10Z', name: 'n', end: null }, id));
  await h.idle();
  assert.equal(h.conn.status, 'connected');
});

test('request: fails at once when not connected, and when the socket closes while it waits', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  const early = await peekPromise(h.conn.request('break_stop_request', {}));
  assert.equal(early.e.code, 'not_connected', 'no socket at all');
  await h.conn.start();
  await h.idle();
  h.ws().serverOpen();
  await h.idle();
  const beforeWelcome = await peekPromise(h.conn.request('break_stop_request', {}));
  assert.equal(beforeWelcome.e.code, 'not_connected', 'not before welcome');
  assert.equal(h.ws().sentOf('break_stop_request').length, 0);
  h.ws().serverSend(welcome(h.ws().last.id));
  await h.idle();
  const p = h.conn.request('break_stop_request', {});
  await h.idle();
  assert.equal(await peekPromise(p), 'pending');
  h.ws().serverClose(1001);
  await h.idle();
  const out = await peekPromise(p);
  assert.equal(out.e.code, 'not_connected', 'the close fails it now, not in 15 s');
  const bad = await peekPromise(h.conn.request('hello', {}));
  assert.equal(bad.e.code, 'invalid', 'only requests, never the connection\'s own messages');
});
