// The content scripts are classic scripts: load them into a vm context.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { compileCatalog, feedRegexes, matchUrl, normalizePath } from '../src/shared/feeds.js';
import { parsePromptUrl } from '../src/pages/prompt/params.js';
import { sampleState } from './fakes.mjs';

const src = (p) => readFileSync(new URL(`../src/content/${p}`, import.meta.url), 'utf8');

function loadCore() {
  const ctx = vm.createContext({ URL, encodeURIComponent });
  vm.runInContext(src('core.js'), ctx);
  return ctx.mindfulCore;
}

const core = loadCore();
const NOW = Date.UTC(2026, 10, 23, 15, 0, 0);
const PROMPT = 'chrome-extension://lbcebegdchechefjbefnojockkfhgifo/src/pages/prompt/prompt.html';

/** The catalog as the background sends it to content scripts. */
function contentCatalog(feeds) {
  return compileCatalog(feeds).feeds.map((f) => ({ id: f.id, name: f.name, res: feedRegexes(feeds.find((x) => x.id === f.id)) }));
}

test('the content matcher agrees with feeds.js matchUrl on the shared URL table and the built-in catalog', () => {
  const feeds = JSON.parse(readFileSync(new URL('../../daemon/internal/feeds/catalog.json', import.meta.url), 'utf8'));
  const table = JSON.parse(readFileSync(new URL('../../daemon/internal/feeds/testdata/urls.json', import.meta.url), 'utf8'));
  const catalog = compileCatalog(feeds);
  const compiled = core.compile(contentCatalog(feeds));
  assert.ok(table.length > 50);
  for (const row of table) {
    const want = matchUrl(catalog, row.url);
    const got = core.match(compiled, row.url);
    assert.deepEqual(got && { ...got }, want, row.url);
  }
  for (const p of ['/', '//r//golang//', '/R/Golang/', 'shorts', '']) assert.equal(core.normalizePath(p), normalizePath(p), p);
});

const compiled = core.compile(contentCatalog(sampleState().feeds));
const decide = (patch) => {
  const d = core.decide({ href: 'https://www.reddit.com/', compiled, grants: [], pausedUntil: null, now: NOW, overlay: null, ...patch });
  return { action: d.action, feed: d.match?.feedId ?? null, key: d.match?.key ?? null };
};

test('overlay decision: a feed without a grant and without a pause shows the prompt', () => {
  assert.deepEqual(decide({}), { action: 'show', feed: 'reddit', key: 'reddit /' });
  assert.deepEqual(decide({ href: 'https://www.reddit.com/r/golang/?sort=new#x' }), { action: 'show', feed: 'reddit', key: 'reddit /r/golang' });
  assert.equal(decide({ href: 'https://www.reddit.com/message/inbox' }).action, 'none', 'a DM passes');
  assert.equal(decide({ href: 'https://www.reddit.com/search?q=go' }).action, 'none', 'a search passes');
  assert.equal(decide({ href: 'https://www.youtube.com/' }).action, 'none', 'a disabled feed passes');
  assert.equal(decide({ href: 'about:blank' }).action, 'none');
});

test('overlay decision: a running grant or a prompt pause lets the feed through', () => {
  assert.equal(decide({ grants: [{ feedId: 'reddit', endsAt: NOW + 1 }] }).action, 'none');
  assert.equal(decide({ grants: [{ feedId: 'reddit', endsAt: NOW }] }).action, 'show', 'an ended grant does not');
  assert.equal(decide({ grants: [{ feedId: 'x', endsAt: NOW + 1 }] }).action, 'show', 'grants are per feed');
  assert.equal(decide({ pausedUntil: NOW + 1 }).action, 'none');
  assert.equal(decide({ pausedUntil: NOW }).action, 'show');
});

test('dedupe: the same feed while an overlay is up keeps it (fragment, query, another path of the feed)', () => {
  const overlay = { feedId: 'reddit', key: 'reddit /', mode: 'prompt' };
  for (const href of ['https://www.reddit.com/#top', 'https://www.reddit.com/?feed=home', 'https://www.reddit.com/r/golang']) {
    assert.equal(decide({ href, overlay }).action, 'keep', href);
  }
  assert.equal(decide({ href: 'https://www.reddit.com/message/inbox', overlay }).action, 'remove', 'left the feed');
  assert.deepEqual(decide({ href: 'https://x.com/home', overlay }), { action: 'replace', feed: 'x', key: 'x /home' });
  assert.equal(decide({ href: 'https://x.com/home', overlay, grants: [{ feedId: 'x', endsAt: NOW + 1 }] }).action, 'remove');
  const done = { feedId: 'reddit', key: 'reddit /', mode: 'done' };
  assert.equal(decide({ href: 'https://www.reddit.com/r/go', overlay: done }).action, 'keep');
  assert.equal(decide({ href: 'https://www.reddit.com/settings', overlay: done }).action, 'remove');
});

test('the overlay iframe URL parses back on the prompt page, whatever the target URL holds', () => {
  for (const url of ['https://www.reddit.com/', 'https://www.reddit.com/r/go?x=1&mode=done&u=http://evil#frag', 'http://x.com/home']) {
    const prompt = core.frameUrl(PROMPT, { feedId: 'reddit', url, mode: 'prompt' });
    assert.ok(prompt.startsWith(`${PROMPT}?f=reddit&u=`));
    assert.ok(prompt.endsWith('&mode=overlay'));
    assert.deepEqual(parsePromptUrl(prompt), { ok: true, feedId: 'reddit', url, mode: 'overlay' });
    const done = core.frameUrl(PROMPT, { feedId: 'reddit', url, mode: 'done', promptId: 'p-1' });
    assert.deepEqual(parsePromptUrl(done), { ok: true, feedId: 'reddit', url, mode: 'done', doneFor: 'p-1' });
  }
});

test('hook.js: pushState and replaceState dispatch a synchronous event after the URL changed', () => {
  const events = [];
  let href = 'https://www.reddit.com/message/inbox';
  class History {
    pushState(_s, _t, url) { href = new URL(url, href).href; }
    replaceState(_s, _t, url) { href = new URL(url, href).href; }
  }
  const window = {
    dispatchEvent: (e) => events.push([e.type, href]),
  };
  class CustomEvent { constructor(type) { this.type = type; } }
  const ctx = vm.createContext({ History, window, CustomEvent, URL });
  vm.runInContext(src('hook.js'), ctx);
  const h = new History();
  const ret = h.pushState({}, '', '/r/golang');
  assert.equal(ret, undefined);
  assert.deepEqual(events, [['mindful:locationchange', 'https://www.reddit.com/r/golang']], 'dispatched inside pushState');
  h.replaceState(null, '', '/');
  assert.deepEqual(events.at(-1), ['mindful:locationchange', 'https://www.reddit.com/']);
  assert.equal(History.prototype.pushState.name, 'pushState');
  // A throwing listener never breaks the page's navigation.
  window.dispatchEvent = () => { throw new Error('boom'); };
  assert.doesNotThrow(() => h.pushState({}, '', '/x'));
  assert.equal(href, 'https://www.reddit.com/x');
});
