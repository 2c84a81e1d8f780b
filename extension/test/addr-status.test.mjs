import { test } from 'node:test';
import assert from 'node:assert/strict';
import { daemonUrl, effectiveDaemonAddr, parseDaemonAddr } from '../src/shared/addr.js';
import { STATUS_VALUES, badgeFor, describeStatus } from '../src/shared/status.js';
import { DEFAULT_DAEMON_ADDR } from '../src/shared/storage-keys.js';

test('daemon addresses: loopback hosts with a port only', () => {
  for (const [input, want] of [
    ['127.0.0.1:17717', '127.0.0.1:17717'],
    ['  localhost:8080 ', 'localhost:8080'],
    ['LOCALHOST:1', 'localhost:1'],
    ['[::1]:65535', '[::1]:65535'],
  ]) {
    assert.deepEqual(parseDaemonAddr(input), { ok: true, value: want }, input);
  }
  for (const bad of ['', '127.0.0.1', '127.0.0.1:', ':17717', 'example.com:80', '10.0.0.1:17717', '127.0.0.1:0',
    '127.0.0.1:65536', '127.0.0.1:017717', '127.0.0.1:80/ws', 'ws://127.0.0.1:17717', '::1:17717', '[::2]:1', null, 17717]) {
    const r = parseDaemonAddr(bad);
    assert.equal(r.ok, false, String(bad));
    assert.ok(r.error.length > 10, 'a clear message');
  }
  assert.match(parseDaemonAddr('example.com:80').error, /127\.0\.0\.1, localhost or \[::1\]/);
});

test('default address and URL', () => {
  assert.equal(DEFAULT_DAEMON_ADDR, '127.0.0.1:17717');
  assert.equal(effectiveDaemonAddr(undefined), '127.0.0.1:17717');
  assert.equal(effectiveDaemonAddr('nope'), '127.0.0.1:17717');
  assert.equal(effectiveDaemonAddr('localhost:9'), 'localhost:9');
  assert.equal(daemonUrl('127.0.0.1:17717'), 'ws://127.0.0.1:17717/ws');
});

test('badge: connected empty, pairing/not_paired PAIR, offline OFF', () => {
  assert.deepEqual([...STATUS_VALUES].sort(), ['connected', 'connecting', 'not_paired', 'offline', 'pairing']);
  assert.equal(badgeFor('connected').text, '');
  assert.equal(badgeFor('pairing').text, 'PAIR');
  assert.equal(badgeFor('not_paired').text, 'PAIR');
  assert.equal(badgeFor('offline').text, 'OFF');
});

test('popup words: the pairing code keeps its leading zero and names the command', () => {
  const d = describeStatus({ status: 'pairing', pairing: { code: '042137', expires_at: '2026-11-23T15:31:26Z' } });
  const text = d.parts.map((p) => p.text ?? p.code).join('');
  assert.equal(text, 'Pair with mindful: approve code 042137 by running mindful pair approve 042137');
  assert.deepEqual(d.parts.filter((p) => p.code).map((p) => p.code), ['mindful pair approve 042137']);
  assert.match(d.detail, /valid until/);
  const off = describeStatus({ status: 'offline', lastError: 'Could not reach mindful' });
  assert.equal(off.parts.map((p) => p.text ?? p.code).join(''), 'mindful is not running — start it with mindful run');
  assert.equal(off.detail, 'Could not reach mindful');
  assert.match(describeStatus({ status: 'connected' }).parts[0].text, /^Connected/);
  assert.match(describeStatus({ status: 'pairing' }).parts[0].text, /pairing code/);
  assert.ok(describeStatus({}).parts.length > 0);
});
