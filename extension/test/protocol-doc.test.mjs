// docs/protocol.md is the contract: every ```json example in it must be
// recognised by the extension's validator, and the tables must match the
// constants the extension acts on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  BROWSERS, DAEMON_TYPES, ERROR_CODES, EVENT_TYPES, EXTENSION_TYPES, FORGET_TOKEN_CLOSE_CODES, validateMessage,
} from '../src/shared/protocol.js';

const doc = await readFile(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
const blocks = [...doc.matchAll(/```json\s*\n([\s\S]*?)```/g)].map((m) => m[1]);

test('protocol.md has json examples and each parses', () => {
  assert.ok(blocks.length >= 10, `found ${blocks.length} json blocks`);
  for (const b of blocks) assert.doesNotThrow(() => JSON.parse(b), b);
});

test('every json example is a message the extension validates', () => {
  for (const b of blocks) {
    const msg = JSON.parse(b);
    const sides = [];
    if (EXTENSION_TYPES.includes(msg.type)) sides.push('extension');
    if (DAEMON_TYPES.includes(msg.type)) sides.push('daemon');
    assert.ok(sides.length > 0, `type ${msg.type} is not known to the extension`);
    const results = sides.map((side) => validateMessage(msg, side));
    assert.ok(
      results.some((r) => r.ok),
      `${msg.type} example rejected: ${results.map((r) => r.message).join('; ')}\n${b}`,
    );
  }
});

test('every message type the extension sends or receives has an example', () => {
  const documented = new Set(blocks.map((b) => JSON.parse(b).type));
  for (const t of new Set([...EXTENSION_TYPES, ...DAEMON_TYPES])) {
    assert.ok(documented.has(t), `no example for ${t}`);
  }
});

test('the events example covers every event type', () => {
  const ev = blocks.map((b) => JSON.parse(b)).find((m) => m.type === 'events');
  assert.deepEqual([...new Set(ev.body.events.map((e) => e.type))].sort(), [...EVENT_TYPES].sort());
});

test('close codes whose action is "forget the token" are the ones the extension forgets on', () => {
  const rows = [...doc.matchAll(/^\|\s*(\d{4})\s*\|[^|]*\|([^|]*)\|/gm)].map((m) => ({ code: Number(m[1]), action: m[2] }));
  assert.ok(rows.length >= 5, 'close code table found');
  const forget = rows.filter((r) => /forget the token/.test(r.action)).map((r) => r.code);
  assert.deepEqual(forget.sort(), [...FORGET_TOKEN_CLOSE_CODES].sort());
});

test('error codes and browser names match the document', () => {
  const errRows = [...doc.matchAll(/^\|\s*`([a-z_]+)`\s*\|/gm)].map((m) => m[1]);
  assert.deepEqual([...new Set(errRows)].filter((c) => ERROR_CODES.includes(c)).sort(), [...ERROR_CODES].sort());
  const sentence = /`browser` is one of ([^.]*)\./.exec(doc.replace(/\s+/g, ' '));
  assert.ok(sentence, 'browser list sentence found');
  const names = [...sentence[1].matchAll(/`([a-z-]+)`/g)].map((m) => m[1]);
  assert.deepEqual(names.sort(), [...BROWSERS].sort());
});
