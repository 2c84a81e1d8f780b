// The feed id rule (src/shared/feed-id.js) against the table shared with the
// daemon's feeds.ValidID (daemon/internal/feeds/testdata/feed_ids.json), and
// the parts of the extension that check feed ids through it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FEED_ID_PATTERN, FEED_ID_RE, isFeedId } from '../src/shared/feed-id.js';
import { feedTimeEvent, validateEvent } from '../src/shared/protocol.js';
import { parsePromptUrl } from '../src/pages/prompt/params.js';

const TABLE = JSON.parse(readFileSync(new URL('../../daemon/internal/feeds/testdata/feed_ids.json', import.meta.url), 'utf8'));

test('the shared feed id table has valid and invalid rows', () => {
  assert.ok(TABLE.some((r) => r.ok) && TABLE.some((r) => !r.ok));
  for (const r of TABLE) assert.equal(typeof r.id, 'string');
});

test('isFeedId agrees with the shared table', () => {
  for (const r of TABLE) assert.equal(isFeedId(r.id), r.ok, `${JSON.stringify(r.id)}: ${r.note}`);
  assert.equal(isFeedId(undefined), false);
  assert.equal(isFeedId(42), false);
  assert.equal(FEED_ID_RE.source, `^${FEED_ID_PATTERN}$`);
});

test('an event is valid with a feed id exactly when the shared table says so', () => {
  const st = { id: 'ev-0001', ts: '2026-11-23T15:00:00.000Z' };
  for (const r of TABLE) {
    const ev = feedTimeEvent(st, { promptId: 'p-0001', feedId: r.id, seconds: 3 });
    assert.equal(validateEvent(ev).ok, r.ok, `${JSON.stringify(r.id)}: ${r.note}`);
  }
});

test('the prompt page takes a feed id from its address exactly when the shared table says so', () => {
  const page = 'chrome-extension://abc/src/pages/prompt/prompt.html';
  for (const r of TABLE) {
    const raw = parsePromptUrl(`${page}?f=${encodeURIComponent(r.id)}&u=https://www.reddit.com/`);
    const encoded = parsePromptUrl(`${page}?f=${encodeURIComponent(r.id)}&u=${encodeURIComponent('https://www.reddit.com/')}&mode=overlay`);
    for (const got of [raw, encoded]) assert.equal(got.ok && got.feedId === r.id, r.ok, `${JSON.stringify(r.id)}: ${r.note}`);
  }
});
