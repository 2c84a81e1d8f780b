import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventQueue, QUEUE_CAP } from '../src/background/queue.js';
import { KEYS } from '../src/shared/storage-keys.js';
import { MemoryStorage, SlowStorage, sampleEvent } from './fakes.mjs';

test('append stores events in storage.local `queue`, in order, with their id and ts', async () => {
  const storage = new MemoryStorage();
  const q = new EventQueue({ storage });
  const evs = [sampleEvent(1), sampleEvent(2), sampleEvent(3)];
  for (const ev of evs) assert.equal(await q.append(ev), true);
  assert.deepEqual(storage.peek(KEYS.queue), evs);
  assert.deepEqual(await q.peek(2), evs.slice(0, 2));
  assert.equal(await q.size(), 3);
});

test('remove drops exactly the acked and rejected ids, nothing else', async () => {
  const storage = new MemoryStorage();
  const q = new EventQueue({ storage });
  const evs = Array.from({ length: 6 }, (_, i) => sampleEvent(i + 1));
  for (const ev of evs) await q.append(ev);
  const acked = [evs[0].id, evs[3].id];
  const rejected = [evs[4].id];
  const removed = await q.remove([...acked, ...rejected, 'not-in-the-queue']);
  assert.equal(removed, 3);
  assert.deepEqual(
    storage.peek(KEYS.queue).map((e) => e.id),
    [evs[1].id, evs[2].id, evs[5].id],
  );
  assert.equal(await q.remove([]), 0);
  assert.equal(await q.size(), 3);
});

test('cap drops the oldest events and counts them in droppedEvents', async () => {
  const storage = new MemoryStorage();
  const q = new EventQueue({ storage, cap: 5 });
  const evs = Array.from({ length: 8 }, (_, i) => sampleEvent(i + 1));
  for (const ev of evs) await q.append(ev);
  assert.deepEqual(storage.peek(KEYS.queue).map((e) => e.tab_id), [4, 5, 6, 7, 8]);
  assert.equal(storage.peek(KEYS.droppedEvents), 3);
  assert.equal(await q.dropped(), 3);
});

test('the default cap is 10,000 events', async () => {
  assert.equal(QUEUE_CAP, 10_000);
  const full = Array.from({ length: 10_000 }, (_, i) => sampleEvent(i + 1));
  const storage = new MemoryStorage({ [KEYS.queue]: full, [KEYS.droppedEvents]: 7 });
  const q = new EventQueue({ storage });
  await q.append(sampleEvent(10_001));
  const after = storage.peek(KEYS.queue);
  assert.equal(after.length, 10_000);
  assert.equal(after[0].tab_id, 2, 'the oldest event went');
  assert.equal(after.at(-1).tab_id, 10_001);
  assert.equal(storage.peek(KEYS.droppedEvents), 8);
});

test('concurrent appends are not lost and keep call order (storage that interleaves)', async () => {
  const storage = new SlowStorage();
  const q = new EventQueue({ storage });
  const evs = Array.from({ length: 50 }, (_, i) => sampleEvent(i + 1));
  const results = await Promise.all(evs.map((ev) => q.append(ev)));
  assert.ok(results.every(Boolean));
  assert.deepEqual(storage.inner.peek(KEYS.queue).map((e) => e.id), evs.map((e) => e.id));
});

test('removes racing with appends do not lose new events', async () => {
  const storage = new SlowStorage();
  const q = new EventQueue({ storage });
  await Promise.all([1, 2, 3].map((i) => q.append(sampleEvent(i))));
  await Promise.all([
    q.remove([sampleEvent(1).id, sampleEvent(2).id]),
    q.append(sampleEvent(4)),
    q.append(sampleEvent(5)),
  ]);
  assert.deepEqual(storage.inner.peek(KEYS.queue).map((e) => e.tab_id), [3, 4, 5]);
});

test('an event given as a promise keeps the place it had when append was called', async () => {
  const storage = new MemoryStorage();
  const q = new EventQueue({ storage });
  let resolveFirst;
  const first = new Promise((r) => (resolveFirst = r));
  const p1 = q.append(first);
  const p2 = q.append(sampleEvent(2));
  resolveFirst(sampleEvent(1));
  await Promise.all([p1, p2]);
  assert.deepEqual(storage.peek(KEYS.queue).map((e) => e.tab_id), [1, 2]);
});

test('a rejected or null event promise adds nothing and does not block later appends', async () => {
  const storage = new MemoryStorage();
  const q = new EventQueue({ storage });
  assert.equal(await q.append(Promise.reject(new Error('tab gone'))), false);
  assert.equal(await q.append(null), false);
  assert.equal(await q.append(sampleEvent(3)), true);
  assert.deepEqual(storage.peek(KEYS.queue).map((e) => e.tab_id), [3]);
});

test('a queue written by an earlier background instance is picked up', async () => {
  const storage = new MemoryStorage({ [KEYS.queue]: [sampleEvent(1)] });
  const q = new EventQueue({ storage });
  await q.append(sampleEvent(2));
  assert.deepEqual((await q.peek()).map((e) => e.tab_id), [1, 2]);
});
