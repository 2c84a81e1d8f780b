import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, BACKOFF_BASE_MS, BACKOFF_CAP_MS, backoffCeiling, backoffDelay } from '../src/shared/backoff.js';

const EXPECTED_CEILINGS = [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000];

test('constants are the ones in protocol.md: 0.5 s base, 30 s cap', () => {
  assert.equal(BACKOFF_BASE_MS, 500);
  assert.equal(BACKOFF_CAP_MS, 30_000);
});

test('ceiling is min(30 s, 0.5 s × 2^attempt) for attempts 0..10', () => {
  assert.deepEqual(EXPECTED_CEILINGS.map((_, a) => backoffCeiling(a)), EXPECTED_CEILINGS);
  assert.equal(backoffCeiling(5000), 30_000, 'a huge attempt stays at the cap');
});

test('full jitter: delay is in [0, ceiling) for attempts 0..10, reaching both ends', () => {
  for (let a = 0; a <= 10; a++) {
    const ceiling = EXPECTED_CEILINGS[a];
    assert.equal(backoffDelay(a, () => 0), 0, `attempt ${a}, random 0`);
    const top = backoffDelay(a, () => 0.999999);
    assert.ok(top < ceiling && top >= ceiling - 1, `attempt ${a}: ${top} just under ${ceiling}`);
    assert.equal(backoffDelay(a, () => 0.5), ceiling / 2);
    // random() never returns 1, but a misbehaving source must not exceed the bound
    assert.ok(backoffDelay(a, () => 1) < ceiling);
    let seed = 12345 + a;
    const lcg = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 500; i++) {
      const d = backoffDelay(a, lcg);
      assert.ok(Number.isInteger(d) && d >= 0 && d < ceiling, `attempt ${a}: ${d}`);
    }
  }
});

test('Backoff counts attempts and reset() starts again from 0.5 s', () => {
  const b = new Backoff({ random: () => 0.999999 });
  const got = [];
  for (let i = 0; i < 11; i++) got.push(b.next());
  assert.deepEqual(got, EXPECTED_CEILINGS.map((c) => Math.floor(0.999999 * c)));
  assert.equal(b.attempt, 11);
  b.reset();
  assert.equal(b.attempt, 0);
  assert.equal(b.next(), Math.floor(0.999999 * 500));
});

test('Backoff never exceeds the cap, however long it runs', () => {
  const b = new Backoff({ random: () => 0.999999 });
  for (let i = 0; i < 2000; i++) assert.ok(b.next() < 30_000);
});
