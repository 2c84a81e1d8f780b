// Host access: which sites are needed, which are missing, the content
// scripts registered for user-added hosts, the access event and the
// "grant access" step's words.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  HostAccess, SCRIPT_IDS, accessSummary, extraScripts, manifestScriptHosts, missingHosts, neededHosts, patternHost, scriptPath,
} from '../src/background/access.js';
import { describeAccess, originPattern } from '../src/shared/access-view.js';
import { validateEvent } from '../src/shared/protocol.js';
import { KEYS } from '../src/shared/storage-keys.js';
import { MemoryStorage, sampleState, sequentialIds } from './fakes.mjs';

const MANIFEST = {
  content_scripts: [
    { matches: ['*://reddit.com/*', '*://www.reddit.com/*', '*://x.com/*'], js: ['src/content/hook.js'], run_at: 'document_start', world: 'MAIN' },
    { matches: ['*://reddit.com/*', '*://www.reddit.com/*', '*://x.com/*'], js: ['src/content/platform.js', 'src/content/core.js', 'src/content/overlay.js'], run_at: 'document_idle' },
  ],
};

/** permissions.contains over a set of granted hosts; request/remove change it. */
class FakePermissions {
  constructor(hosts) {
    this.hosts = new Set(hosts);
  }
  async contains({ origins }) {
    return origins.every((o) => this.hosts.has(patternHost(o)));
  }
}

class FakeScripting {
  registered = [];
  async getRegisteredContentScripts({ ids }) {
    return this.registered.filter((s) => ids.includes(s.id));
  }
  async registerContentScripts(list) {
    for (const s of list) {
      if (this.registered.some((r) => r.id === s.id)) throw new Error(`Duplicate script ID '${s.id}'`);
      this.registered.push(s);
    }
  }
  async unregisterContentScripts({ ids }) {
    this.registered = this.registered.filter((s) => !ids.includes(s.id));
  }
}

const queueOf = () => ({ events: [], async append(ev) { this.events.push(await ev); } });

test('needed hosts: enabled feeds and every break site, once, sorted', () => {
  const state = sampleState({
    feeds: [...sampleState().feeds, { id: 'mastodon', name: 'Mastodon', hosts: ['Mastodon.Social'], paths: ['/home'], enabled: true }],
    breaks: [{ key: 'adhoc:1', name: 'Break', start: '2026-11-23T15:00:00Z', end: null, sites: ['plain.test', 'x.com'] }],
  });
  assert.deepEqual(neededHosts(state), ['mastodon.social', 'plain.test', 'reddit.com', 'www.reddit.com', 'x.com']);
  const builtin = neededHosts(null);
  assert.ok(builtin.includes('www.reddit.com') && builtin.includes('news.ycombinator.com'), 'nothing cached yet: the built-in catalog');
});

test('patterns: one per host, both schemes', () => {
  assert.equal(originPattern('mastodon.social'), '*://mastodon.social/*');
  assert.equal(patternHost('*://mastodon.social/*'), 'mastodon.social');
  assert.equal(patternHost('https://mastodon.social/*'), null);
  assert.equal(patternHost('<all_urls>'), null);
  assert.deepEqual([...manifestScriptHosts(MANIFEST)].sort(), ['reddit.com', 'www.reddit.com', 'x.com']);
});

test('missing hosts and the summary', async () => {
  const perms = new FakePermissions(['reddit.com', 'x.com']);
  assert.deepEqual(await missingHosts(perms, ['reddit.com', 'www.reddit.com', 'x.com']), ['www.reddit.com']);
  const broken = { contains: async () => { throw new Error('no'); } };
  assert.deepEqual(await missingHosts(broken, ['a.test']), ['a.test'], 'a failed check counts as missing');
  assert.deepEqual(accessSummary([]), { state: 'full', missing_hosts: [] });
  assert.deepEqual(accessSummary(['b.test', 'a.test']), { state: 'limited', missing_hosts: ['a.test', 'b.test'] });
});

test('script paths: relative, also from Firefox\'s absolute manifest URLs', () => {
  assert.equal(scriptPath('src/content/hook.js'), 'src/content/hook.js');
  assert.equal(scriptPath('/src/content/hook.js'), 'src/content/hook.js');
  assert.equal(scriptPath('moz-extension://6f1c1f0e-93a4-4c4e-9a57-1c0f3a1d2b7e/src/content/hook.js'), 'src/content/hook.js');
  assert.equal(scriptPath('chrome-extension://lbcebegdchechefjbefnojockkfhgifo/src/content/core.js'), 'src/content/core.js');
  const ff = { content_scripts: MANIFEST.content_scripts.map((cs) => ({ ...cs, js: cs.js.map((j) => `moz-extension://6f1c1f0e/${j}`) })) };
  assert.deepEqual(extraScripts(ff, ['mastodon.social'])[1].js, MANIFEST.content_scripts[1].js);
});

test('extra content scripts copy the manifest scripts for user-added hosts', () => {
  assert.deepEqual(extraScripts(MANIFEST, []), []);
  const [hook, overlay] = extraScripts(MANIFEST, ['mastodon.social']);
  assert.deepEqual(hook, {
    id: SCRIPT_IDS.hook, matches: ['*://mastodon.social/*'], js: ['src/content/hook.js'], runAt: 'document_start', allFrames: false, world: 'MAIN', persistAcrossSessions: true,
  });
  assert.equal(overlay.id, SCRIPT_IDS.overlay);
  assert.equal(overlay.world, undefined, 'the overlay runs in the isolated world');
  assert.deepEqual(overlay.js, MANIFEST.content_scripts[1].js);
  assert.equal(overlay.runAt, 'document_idle', 'when the manifest runs it');
});

test('HostAccess: limited → event and stored summary; a grant registers scripts and reports full once', async () => {
  const local = new MemoryStorage();
  const state = sampleState({ feeds: [...sampleState().feeds, { id: 'mastodon', name: 'Mastodon', hosts: ['mastodon.social'], paths: ['/home'], enabled: true }] });
  await local.set({ [KEYS.daemonState]: state });
  const perms = new FakePermissions(['reddit.com', 'www.reddit.com', 'x.com']);
  const scripting = new FakeScripting();
  const queue = queueOf();
  let flushed = 0;
  const access = new HostAccess({
    permissions: perms, scripting, manifest: MANIFEST, local, queue, onQueued: () => flushed++, newId: sequentialIds(), now: () => Date.UTC(2026, 10, 23, 15),
  });

  assert.deepEqual(await access.refresh(), { state: 'limited', missing_hosts: ['mastodon.social'] });
  assert.deepEqual((await local.get(KEYS.access))[KEYS.access], { state: 'limited', missing_hosts: ['mastodon.social'] });
  assert.equal(queue.events.length, 1);
  assert.equal(validateEvent(queue.events[0]).ok, true, JSON.stringify(validateEvent(queue.events[0])));
  assert.deepEqual({ type: queue.events[0].type, state: queue.events[0].state, hosts: queue.events[0].missing_hosts }, { type: 'access', state: 'limited', hosts: ['mastodon.social'] });
  assert.equal(scripting.registered.length, 0, 'no access, no scripts');

  await access.refresh();
  assert.equal(queue.events.length, 1, 'the same answer is not reported twice');

  perms.hosts.add('mastodon.social');
  assert.deepEqual(await access.refresh(), { state: 'full', missing_hosts: [] });
  assert.equal(queue.events.length, 2);
  assert.equal(queue.events[1].state, 'full');
  assert.equal(flushed, 2);
  assert.deepEqual(scripting.registered.map((s) => [s.id, s.matches]), [
    [SCRIPT_IDS.hook, ['*://mastodon.social/*']], [SCRIPT_IDS.overlay, ['*://mastodon.social/*']],
  ]);

  // The user withdraws a built-in host (Firefox's add-ons manager).
  perms.hosts.delete('x.com');
  assert.deepEqual(await access.refresh(), { state: 'limited', missing_hosts: ['x.com'] });
  assert.equal(scripting.registered.length, 2, 'mastodon keeps its scripts');

  // Mastodon removed from the catalog: its scripts go.
  await access.refresh(sampleState());
  assert.deepEqual(scripting.registered, []);
});

test('HostAccess: calls run one at a time, a failure does not stop the next', async () => {
  const local = new MemoryStorage();
  let fail = true;
  const perms = { contains: async () => { if (fail) throw new Error('boom'); return true; } };
  const errors = [];
  const access = new HostAccess({ permissions: perms, manifest: MANIFEST, local, queue: { async append() { if (fail) throw new Error('queue full'); } }, log: (m) => errors.push(m) });
  await local.set({ [KEYS.daemonState]: sampleState() });
  await assert.rejects(access.refresh());
  fail = false;
  assert.equal((await access.refresh()).state, 'full');
  assert.deepEqual(errors, ['host access check failed']);
});

test('the grant step: hidden with full access, names the sites otherwise', () => {
  assert.equal(describeAccess(undefined).show, false);
  assert.equal(describeAccess({ state: 'full', missing_hosts: [] }).show, false);
  const one = describeAccess({ state: 'limited', missing_hosts: ['mastodon.social'] });
  assert.equal(one.show, true);
  assert.match(one.text, /this site: mastodon\.social\. Its feeds open without the question and breaks do not block it/);
  const many = describeAccess({ state: 'limited', missing_hosts: ['a.test', 'b.test', 'c.test', 'd.test', 'e.test'] });
  assert.match(many.text, /these 5 sites: a\.test, b\.test, c\.test and 2 more\. Their feeds/);
  assert.deepEqual(many.hosts, ['a.test', 'b.test', 'c.test', 'd.test', 'e.test']);
});

test('access events: validated', () => {
  const st = { id: 'a1', ts: '2026-11-23T15:00:00.000Z' };
  assert.equal(validateEvent({ ...st, type: 'access', state: 'full', missing_hosts: [] }).ok, true);
  assert.equal(validateEvent({ ...st, type: 'access', state: 'limited', missing_hosts: ['x.com'] }).ok, true);
  assert.equal(validateEvent({ ...st, type: 'access', state: 'limited', missing_hosts: [] }).field, 'event.missing_hosts');
  assert.equal(validateEvent({ ...st, type: 'access', state: 'full', missing_hosts: ['x.com'] }).field, 'event.missing_hosts');
  assert.equal(validateEvent({ ...st, type: 'access', state: 'some', missing_hosts: [] }).field, 'event.state');
  assert.equal(validateEvent({ ...st, type: 'access', state: 'limited', missing_hosts: ['X.com'] }).field, 'event.missing_hosts');
});
