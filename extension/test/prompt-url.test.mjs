import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { MAX_NAME_LENGTH, nameParam, promptPageUrl, promptSubstitution } from '../src/shared/prompt-url.js';
import { parsePromptUrl } from '../src/pages/prompt/params.js';

const PROMPT = 'chrome-extension://lbcebegdchechefjbefnojockkfhgifo/src/pages/prompt/prompt.html';

function classic(path, name) {
  const ctx = vm.createContext({});
  vm.runInContext(readFileSync(new URL(path, import.meta.url), 'utf8'), ctx);
  return ctx[name];
}
const firstFrame = classic('../src/pages/prompt/first-frame.js', 'mindfulPromptFirstFrame');
const core = classic('../src/content/core.js', 'mindfulCore');

const NAMES = ['Reddit', 'X (Twitter)', 'Hacker News', 'Ünïcødé & <b>co</b>?#=', '  padded  ', '😀'.repeat(70), '', '   ', undefined, 7];

test('the name in the address: the content scripts write it as the shared module does', () => {
  for (const n of NAMES) assert.equal(core.nameParam(n), nameParam(n), String(n));
  assert.equal(nameParam('\ud800'), '', 'a lone surrogate is left out, not thrown');
});

test('first frame: the name comes back from every address form, and the rest still parses', () => {
  const targets = ['https://www.reddit.com/', 'https://www.reddit.com/r/go?x=1&n=Evil&mode=done&u=http://evil#frag'];
  for (const n of NAMES) {
    const want = typeof n === 'string' && n.trim() !== '' ? Array.from(n.trim()).slice(0, MAX_NAME_LENGTH).join('') : null;
    for (const url of targets) {
      // a redirect rule: \0 is the raw URL
      const redirected = promptSubstitution(PROMPT, 'reddit', n).replace('\\0', () => url);
      assert.deepEqual({ ...firstFrame.parse(redirected) }, { name: want, done: false }, redirected);
      assert.deepEqual(parsePromptUrl(redirected), { ok: true, feedId: 'reddit', url, mode: 'navigation' }, redirected);
      // the overlay and the background's own pages
      const overlay = core.frameUrl(PROMPT, { feedId: 'reddit', name: n, url, mode: 'prompt' });
      assert.deepEqual({ ...firstFrame.parse(overlay) }, { name: want, done: false }, overlay);
      assert.deepEqual(parsePromptUrl(overlay), { ok: true, feedId: 'reddit', url, mode: 'overlay' });
      const done = promptPageUrl(PROMPT, { feedId: 'reddit', name: n, url, mode: 'done', promptId: 'p-1' });
      assert.deepEqual({ ...firstFrame.parse(done) }, { name: want, done: true }, done);
      assert.deepEqual(parsePromptUrl(done), { ok: true, feedId: 'reddit', url, mode: 'done', doneFor: 'p-1' });
      assert.deepEqual({ ...firstFrame.parse(core.frameUrl(PROMPT, { feedId: 'reddit', name: n, url, mode: 'done', promptId: 'p-1' })) }, { name: want, done: true });
      const plain = promptPageUrl(PROMPT, { feedId: 'reddit', name: n, url });
      assert.deepEqual(parsePromptUrl(plain), { ok: true, feedId: 'reddit', url, mode: 'navigation' });
    }
  }
});

test('first frame: an "n=" in the target URL is never taken for the name', () => {
  const href = `${PROMPT}?f=reddit&u=https://www.reddit.com/?n=Evil&mode=done`;
  assert.deepEqual({ ...firstFrame.parse(href) }, { name: null, done: false });
  assert.deepEqual({ ...firstFrame.parse(`${PROMPT}?f=reddit&n=%E0%A4%A&u=https://a.b/`) }, { name: null, done: false }, 'bad escape');
  assert.deepEqual({ ...firstFrame.parse(PROMPT) }, { name: null, done: false });
});
