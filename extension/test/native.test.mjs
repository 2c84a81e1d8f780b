import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '../src/background/connection.js';
import { HOST_NAME, checkAnswer, nativePairing } from '../src/background/native.js';
import { EventQueue } from '../src/background/queue.js';
import { KEYS } from '../src/shared/storage-keys.js';
import { FakeTimers, IDENTITY, MemoryStorage, TOKEN, makeFakeWebSocket } from './fakes.mjs';

const ORIGIN = 'chrome-extension://lbcebegdchechefjbefnojockkfhgifo';
const GOOD = { ok: true, addr: '127.0.0.1:4242', client_id: IDENTITY.client_id, token: TOKEN };

/** A fake runtime whose host answers `answer` (a value, or a function of the request). */
function fakeRuntime(answer) {
  const calls = [];
  return {
    calls,
    sendNativeMessage: async (host, msg) => {
      calls.push({ host, msg });
      if (answer instanceof Error) throw answer;
      return typeof answer === 'function' ? answer(msg) : answer;
    },
  };
}

function setup({ answer = GOOD, permitted = true, initial = {}, runtime } = {}) {
  const storage = new MemoryStorage(initial);
  const logs = [];
  const timers = new FakeTimers();
  const rt = runtime ?? fakeRuntime(answer);
  const pair = nativePairing({
    runtime: rt,
    permissions: { contains: async (p) => permitted && p.permissions?.[0] === 'nativeMessaging' },
    storage,
    origin: ORIGIN,
    timers,
    log: (m) => logs.push(m),
  });
  return { storage, logs, timers, rt, pair };
}

test('asks the host with our identity and origin, and returns the address and token', async () => {
  const h = setup();
  assert.deepEqual(await h.pair(IDENTITY), { addr: '127.0.0.1:4242', token: TOKEN });
  assert.equal(h.rt.calls.length, 1);
  assert.equal(h.rt.calls[0].host, HOST_NAME);
  assert.equal(HOST_NAME, 'org.mindful_app.mindful');
  assert.deepEqual(h.rt.calls[0].msg, { type: 'pair', ...IDENTITY, origin: ORIGIN });
});

test('falls back (null) without the API, without the permission, or after the user unpaired', async () => {
  const noApi = setup({ runtime: {} });
  assert.equal(await noApi.pair(IDENTITY), null);

  const noPerm = setup({ permitted: false });
  assert.equal(await noPerm.pair(IDENTITY), null);
  assert.equal(noPerm.rt.calls.length, 0);

  const off = setup({ initial: { [KEYS.nativePairingOff]: true } });
  assert.equal(await off.pair(IDENTITY), null);
  assert.equal(off.rt.calls.length, 0);
});

test('falls back on every failure, logs why, never logs the token', async () => {
  const cases = [
    [new Error('Specified native messaging host not found.'), /host not found/],
    [{ ok: false, error: 'not_running', message: 'mindful is not running' }, /not_running: mindful is not running/],
    [{ ...GOOD, token: 'short' }, /malformed token/],
    [{ ...GOOD, addr: 'evil.example:80' }, /bad address/],
    [{ ...GOOD, client_id: 'someone-else-1234' }, /another client id/],
    [null, /answered nothing/],
  ];
  for (const [answer, why] of cases) {
    const h = setup({ answer });
    assert.equal(await h.pair(IDENTITY), null, String(why));
    assert.equal(h.logs.length, 1);
    assert.match(h.logs[0], why);
    assert.match(h.logs[0], /pairing with a code/);
    assert.ok(!h.logs.join('\n').includes(TOKEN), 'token in the log');
  }
});

test('a host that never answers times out', async () => {
  const runtime = { sendNativeMessage: () => new Promise(() => {}) };
  const h = setup({ runtime });
  const p = h.pair(IDENTITY);
  await new Promise((r) => setImmediate(r));
  h.timers.advance(10_000);
  assert.equal(await p, null);
  assert.match(h.logs[0], /no answer within 10000 ms/);
});

test('checkAnswer accepts only a loopback address and our client id', () => {
  assert.deepEqual(checkAnswer(GOOD, IDENTITY), { ok: true, addr: '127.0.0.1:4242' });
  assert.deepEqual(checkAnswer({ ...GOOD, addr: 'localhost:17717' }, IDENTITY), { ok: true, addr: 'localhost:17717' });
  assert.equal(checkAnswer({ ...GOOD, addr: '10.0.0.1:17717' }, IDENTITY).ok, false);
  assert.equal(checkAnswer({ ...GOOD, ok: 'yes' }, IDENTITY).ok, false);
});

// ---- with the connection

function connection(storage, nativePair) {
  const timers = new FakeTimers();
  const WS = makeFakeWebSocket();
  const conn = new Connection({
    WebSocket: WS, storage, queue: new EventQueue({ storage }), timers, random: () => 0.5, now: () => timers.now,
    identity: async () => IDENTITY, nativePair,
  });
  return { conn, WS, timers, ws: () => WS.instances.at(-1), idle: () => conn.whenIdle() };
}

test('connection: native pairing moves to the address the app gave and says hello, no pair_request', async () => {
  const h = setup();
  const c = connection(h.storage, h.pair);
  await c.conn.start();
  await c.idle();
  assert.equal(c.WS.instances.length, 1, 'one socket, straight to the new address');
  assert.equal(c.ws().url, 'ws://127.0.0.1:4242/ws');
  assert.equal(h.storage.peek(KEYS.token), TOKEN);
  assert.equal(h.storage.peek(KEYS.daemonAddr), '127.0.0.1:4242');
  c.ws().serverOpen();
  await c.idle();
  assert.equal(c.ws().sent.length, 1);
  assert.equal(c.ws().sent[0].type, 'hello');
  assert.equal(c.ws().sent[0].body.token, TOKEN);
  // The options watcher then reports the stored address: no reconnect.
  await c.conn.setAddress('127.0.0.1:4242');
  await c.idle();
  assert.equal(c.WS.instances.length, 1);
});

test('connection: with a token stored the host is not asked', async () => {
  const h = setup({ initial: { [KEYS.token]: TOKEN } });
  const c = connection(h.storage, h.pair);
  await c.conn.start();
  await c.idle();
  assert.equal(h.rt.calls.length, 0);
  assert.equal(c.ws().url, 'ws://127.0.0.1:17717/ws');
});

test('connection: a failed native pairing falls back to the code', async () => {
  const h = setup({ answer: { ok: false, error: 'not_running', message: 'x' } });
  const c = connection(h.storage, h.pair);
  await c.conn.start();
  await c.idle();
  c.ws().serverOpen();
  await c.idle();
  assert.equal(c.ws().sent[0].type, 'pair_request');
  assert.equal(h.storage.peek(KEYS.token), undefined);
});

test('connection: after the user unpairs (4003) native pairing stays off until a code pairs again', async () => {
  const h = setup();
  const c = connection(h.storage, h.pair);
  await c.conn.start();
  await c.idle();
  c.ws().serverOpen();
  await c.idle();
  c.ws().serverClose(4003, 'revoked');
  await c.idle();
  assert.equal(h.storage.peek(KEYS.nativePairingOff), true);
  assert.equal(h.storage.peek(KEYS.token), undefined);
  c.timers.advance(60_000); // the reconnect
  await c.idle();
  assert.equal(h.rt.calls.length, 1, 'the host was not asked again');
  c.ws().serverOpen();
  await c.idle();
  const req = c.ws().sent[0];
  assert.equal(req.type, 'pair_request');
  // The user approves the code: native pairing may help again later.
  c.ws().serverSend({ v: 1, type: 'paired', id: 'd-1', re: req.id, body: { client_id: IDENTITY.client_id, token: TOKEN } });
  await c.idle();
  assert.equal(h.storage.peek(KEYS.nativePairingOff), undefined);
});
