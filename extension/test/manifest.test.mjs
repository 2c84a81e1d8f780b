// The manifests and the files they name: what the lead's build tool will
// merge (base + overlay, objects recursively, arrays and scalars replaced)
// and copy.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const readJson = (p) => JSON.parse(readFileSync(join(root, p), 'utf8'));

function deepMerge(base, overlay) {
  const isObj = (x) => typeof x === 'object' && x !== null && !Array.isArray(x);
  const out = { ...base };
  for (const [k, v] of Object.entries(overlay)) out[k] = isObj(v) && isObj(base[k]) ? deepMerge(base[k], v) : v;
  return out;
}

// The build tool (installer/extpack/hosts.go) replaces each CATALOG_HOSTS
// element of an array with "*://<host>/*" for every host of the built-in
// catalog, sorted: the host lists are never kept by hand.
const CATALOG_HOSTS = '{{catalog_hosts}}';
const builtinHosts = [...new Set(readJson('../daemon/internal/feeds/catalog.json').flatMap((f) => f.hosts))].sort();
function withCatalogHosts(v) {
  if (Array.isArray(v)) return v.flatMap((e) => (e === CATALOG_HOSTS ? builtinHosts.map((h) => `*://${h}/*`) : [withCatalogHosts(e)]));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, withCatalogHosts(e)]));
  return v;
}

const base = readJson('manifests/base.json');
const chrome = withCatalogHosts(deepMerge(base, readJson('manifests/chrome.json')));
const firefox = withCatalogHosts(deepMerge(base, readJson('manifests/firefox.json')));

function referencedPaths(m) {
  return [
    m.action?.default_popup,
    m.options_ui?.page,
    m.background?.service_worker,
    ...(m.background?.scripts ?? []),
    ...Object.values(m.icons ?? {}),
    ...Object.values(m.action?.default_icon ?? {}),
    ...(m.content_scripts ?? []).flatMap((c) => c.js ?? []),
    ...(m.web_accessible_resources ?? []).flatMap((w) => w.resources ?? []),
  ].filter(Boolean);
}

test('base manifest: shared keys', () => {
  assert.equal(base.manifest_version, 3);
  assert.equal(base.name, 'mindful');
  assert.equal(base.version, '0.1.0');
  assert.ok(base.description.length > 10);
  assert.deepEqual([...base.permissions].sort(), [
    'alarms', 'declarativeNetRequestWithHostAccess', 'idle', 'nativeMessaging', 'scripting', 'storage', 'tabs', 'webNavigation',
  ]);
  assert.equal(base.action.default_popup, 'src/pages/popup/popup.html');
  assert.deepEqual(base.options_ui, { page: 'src/pages/options/options.html', open_in_tab: true });
  assert.equal(base.background, undefined, 'background is per browser');
});

test('package.json: no runtime dependencies, node --test, web-ext and axe-core pinned for the lint and the audit', () => {
  const pkg = readJson('package.json');
  assert.deepEqual(pkg, {
    name: 'mindful-extension', private: true, type: 'module', scripts: { test: 'node --test test/' },
    devDependencies: { 'axe-core': pkg.devDependencies['axe-core'], 'web-ext': pkg.devDependencies['web-ext'] },
  });
  const lock = readJson('package-lock.json');
  for (const dep of ['web-ext', 'axe-core']) {
    assert.match(pkg.devDependencies[dep], /^\d+\.\d+\.\d+$/, `${dep}: an exact version`);
    assert.equal(lock.packages[`node_modules/${dep}`].version, pkg.devDependencies[dep]);
  }
});

test('chrome manifest: module service worker and the key that pins the extension id', () => {
  assert.deepEqual(chrome.background, { service_worker: 'src/background/main.js', type: 'module' });
  const der = Buffer.from(chrome.key, 'base64');
  const hex = createHash('sha256').update(der).digest('hex').slice(0, 32);
  const id = [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join('');
  assert.equal(id, 'lbcebegdchechefjbefnojockkfhgifo');
  assert.equal(chrome.browser_specific_settings, undefined);
});

test('firefox manifest: module event page, gecko id, CSP that allows ws to loopback', () => {
  assert.deepEqual(firefox.background, { scripts: ['src/background/main.js'], type: 'module' });
  assert.deepEqual(firefox.browser_specific_settings.gecko, {
    id: 'mindful@mindful-app.org',
    strict_min_version: '128.0', // ESR 128: content scripts in the MAIN world, storage.session, DNR
    data_collection_permissions: { required: ['none'] }, // nothing leaves the machine
  });
  assert.equal(
    firefox.content_security_policy.extension_pages,
    "script-src 'self'; connect-src 'self' ws://127.0.0.1:* ws://localhost:* ws://[::1]:*",
  );
  assert.equal(firefox.key, undefined);
  assert.deepEqual(firefox.permissions, base.permissions);
});

test('every path a merged manifest names exists', () => {
  for (const m of [chrome, firefox]) {
    const paths = referencedPaths(m);
    assert.ok(paths.length >= 3);
    for (const p of paths) {
      assert.ok(!p.startsWith('/') && !p.includes('..'), `${p} is relative to the extension root`);
      assert.ok(existsSync(join(root, p)), `${p} exists`);
    }
  }
});

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const srcFiles = walk(join(root, 'src'));

/** Drops block and line comments (good enough for this code base: no comment markers inside strings it checks). */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/.*$/gm, '$1');
}

test('every import in src is relative, stays in src and resolves (the build copies src verbatim)', () => {
  const js = srcFiles.filter((f) => f.endsWith('.js'));
  assert.ok(js.length >= 10);
  for (const f of js) {
    const text = readFileSync(f, 'utf8');
    const code = stripComments(text);
    assert.ok(!/\brequire\(/.test(code), `${relative(root, f)}: no CommonJS`);
    assert.ok(!/\bimport\s*\(/.test(code), `${relative(root, f)}: no dynamic import (not allowed in service workers)`);
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const spec = m[1];
      assert.ok(spec.startsWith('./') || spec.startsWith('../'), `${relative(root, f)} imports ${spec}`);
      const target = resolve(dirname(f), spec);
      assert.ok(target.startsWith(join(root, 'src')), `${spec} stays inside src`);
      assert.ok(existsSync(target), `${relative(root, f)}: ${spec} exists`);
    }
  }
});

test('pages load only local files and carry the ids the tests rely on', () => {
  const html = srcFiles.filter((f) => f.endsWith('.html'));
  assert.equal(html.length, 4);
  for (const f of html) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\b(?:src|href)="([^"]+)"/g)) {
      assert.ok(!/^[a-z]+:/i.test(m[1]) && !m[1].startsWith('//'), `${relative(root, f)}: ${m[1]} is local`);
      assert.ok(existsSync(resolve(dirname(f), m[1])), `${relative(root, f)}: ${m[1]} exists`);
    }
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(text), 'no inline scripts (CSP)');
    assert.ok(!/\son[a-z]+=/.test(text), 'no inline handlers (CSP)');
  }
  const popup = readFileSync(join(root, 'src/pages/popup/popup.html'), 'utf8');
  for (const id of ['state', 'pair-code', 'queued']) assert.match(popup, new RegExp(`id="${id}"`));
  assert.match(popup, /id="state"[^>]*data-state=/);
  const options = readFileSync(join(root, 'src/pages/options/options.html'), 'utf8');
  assert.match(options, /<input id="daemon-addr"/);
  assert.match(options, /<button id="save"/);
  assert.match(options, /id="saved"/);
  for (const css of srcFiles.filter((f) => f.endsWith('.css'))) {
    const text = readFileSync(css, 'utf8');
    assert.ok(!/url\(|@import/.test(text), `${relative(root, css)}: no remote resources`);
    assert.match(text, /prefers-color-scheme: dark/);
  }
});

test('browser checks live only in shared/platform.js (and its classic-script twin for content scripts)', () => {
  const allowed = new Set(['src/shared/platform.js', 'src/content/platform.js']);
  for (const f of srcFiles.filter((x) => x.endsWith('.js') && !allowed.has(relative(root, x)))) {
    const code = stripComments(readFileSync(f, 'utf8'));
    assert.ok(!/globalThis\.(browser|chrome)\b|\bchrome\.|\bbrowser\.|getBrowserInfo|userAgentData/.test(code),
      `${relative(root, f)} has a browser-specific check`);
  }
});

test('only the background reads the token', () => {
  for (const f of srcFiles.filter((x) => x.endsWith('.js'))) {
    const rel = relative(root, f);
    if (rel.startsWith('src/background/')) continue;
    const text = readFileSync(f, 'utf8');
    assert.ok(!/KEYS\.token\b/.test(text), `${rel} touches the token`);
  }
});

// ------------------------------------------------------- feed prompt parts

const catalog = JSON.parse(readFileSync(join(root, '../daemon/internal/feeds/catalog.json'), 'utf8'));
const catalogHosts = [...new Set(catalog.flatMap((f) => f.hosts))].sort();

/** Whether a match pattern covers scheme://host/ (patterns of the form scheme://host/*). */
function covers(pattern, scheme, host) {
  if (pattern === '<all_urls>') return true;
  const m = /^(\*|https?):\/\/([^/]+)\/(.*)$/.exec(pattern);
  if (!m || m[3] !== '*') return false;
  const schemeOk = m[1] === '*' || m[1] === scheme;
  const hostOk = m[2] === host || m[2] === '*' || (m[2].startsWith('*.') && (host === m[2].slice(2) || host.endsWith(m[2].slice(1))));
  return schemeOk && hostOk;
}

test('host permissions and both content scripts cover every host of the built-in catalog, http and https', () => {
  assert.ok(catalogHosts.length >= 30);
  assert.deepEqual(base.host_permissions, [CATALOG_HOSTS], 'generated from the catalog, not listed by hand');
  for (const cs of base.content_scripts) assert.deepEqual(cs.matches, [CATALOG_HOSTS], 'generated from the catalog, not listed by hand');
  for (const m of [chrome, firefox]) {
    for (const host of catalogHosts) {
      for (const scheme of ['http', 'https']) {
        assert.ok(m.host_permissions.some((p) => covers(p, scheme, host)), `host_permissions: ${scheme}://${host}`);
        for (const cs of m.content_scripts) assert.ok(cs.matches.some((p) => covers(p, scheme, host)), `content script ${cs.js}: ${scheme}://${host}`);
      }
    }
    assert.ok(!m.host_permissions.some((p) => covers(p, 'https', 'example.org')), 'no blanket host permission');
    assert.deepEqual(m.optional_host_permissions, ['*://*/*'], 'user-added feed hosts (Mastodon) are asked for at run time');
  }
});

test('content scripts: the MAIN-world history hook at document_start, the isolated overlay at document_idle, top frame only', () => {
  const [hook, overlay] = base.content_scripts;
  assert.deepEqual(hook.js, ['src/content/hook.js']);
  assert.equal(hook.world, 'MAIN');
  assert.deepEqual(overlay.js, ['src/content/platform.js', 'src/content/core.js', 'src/content/overlay.js']);
  assert.equal(overlay.world, undefined, 'isolated (the default)');
  // The hook must wrap history before the page's scripts keep a reference to it; the
  // overlay has nothing to do before the page is there (a full load of a feed is
  // redirected before any page), so it costs a page nothing before its first paint.
  assert.equal(hook.run_at, 'document_start');
  assert.equal(overlay.run_at, 'document_idle');
  for (const cs of [hook, overlay]) assert.equal(cs.all_frames, false);
  assert.deepEqual(hook.matches, overlay.matches);
  const hookCode = stripComments(readFileSync(join(root, 'src/content/hook.js'), 'utf8'));
  assert.ok(!/\b(chrome|browser|mindfulApi)\b/.test(hookCode), 'the main-world hook uses no extension API');
});

/** The files a module imports, recursively (the prompt page's module graph). */
function moduleGraph(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) visit(resolve(dirname(file), m[1]));
  };
  visit(entry);
  return [...seen].map((f) => relative(root, f));
}

test('web_accessible_resources: the prompt page and its files, for any page, in both browsers', () => {
  const page = 'src/pages/prompt/prompt.html';
  const files = [page, 'src/pages/prompt/first-frame.js', ...moduleGraph(join(root, 'src/pages/prompt/prompt.js'))];
  for (const m of [chrome, firefox]) {
    const war = m.web_accessible_resources;
    assert.ok(Array.isArray(war) && war.length >= 1);
    const entry = war.find((w) => w.resources.includes(page));
    // Firefox refuses a DNR redirect to a page that is not web accessible (NS_ERROR_DOM_BAD_URI), and the
    // overlay frames the page on any host, including feed hosts the user adds.
    assert.deepEqual(entry.matches, ['<all_urls>']);
    for (const f of files) assert.ok(entry.resources.includes(f), `${f} is web accessible`);
  }
});

test('the prompt page: no stylesheet or module in the HTML (first paint); first-frame.js starts prompt.js and preloads every module it imports', () => {
  const html = readFileSync(join(root, 'src/pages/prompt/prompt.html'), 'utf8');
  assert.doesNotMatch(html, /<link rel="stylesheet"|<script type="module"|<link rel="modulepreload"/);
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  assert.deepEqual(scripts, ['<script src="first-frame.js">'], 'one classic script, in <head>');
  assert.ok(html.indexOf('<script src="first-frame.js">') < html.indexOf('</head>'));
  const ctx = vm.createContext({});
  vm.runInContext(readFileSync(join(root, 'src/pages/prompt/first-frame.js'), 'utf8'), ctx);
  const { ENTRY, MODULES } = ctx.mindfulPromptFirstFrame;
  assert.equal(ENTRY, 'prompt.js');
  const preloaded = [...MODULES].map((m) => relative(root, resolve(join(root, 'src/pages/prompt'), m)));
  const graph = moduleGraph(join(root, 'src/pages/prompt/prompt.js')).filter((f) => f !== 'src/pages/prompt/prompt.js');
  assert.deepEqual([...preloaded].sort(), [...graph].sort());
});

test('declarativeNetRequest: with host access, so redirect rules work where we hold host permissions', () => {
  for (const m of [chrome, firefox]) assert.ok(m.permissions.includes('declarativeNetRequestWithHostAccess'));
});

test('firefox: event page scripts, a gecko id, version 128+ (content script world MAIN), DNR redirect target accessible', () => {
  assert.ok(Array.isArray(firefox.background.scripts) && firefox.background.service_worker === undefined);
  assert.ok(Number.parseFloat(firefox.browser_specific_settings.gecko.strict_min_version) >= 128);
  assert.equal(firefox.content_scripts[0].world, 'MAIN');
  assert.ok(firefox.web_accessible_resources.some((w) => w.resources.includes('src/pages/prompt/prompt.html') && w.matches.includes('<all_urls>')));
});

test('the prompt page has the ids and hooks the end-to-end tests use', () => {
  const html = readFileSync(join(root, 'src/pages/prompt/prompt.html'), 'utf8');
  assert.match(html, /<main id="prompt" data-phase="pause" data-feed="[^"]*"/);
  for (const id of ['feed-name', 'countdown', 'habit', 'need', 'continue', 'purpose', 'open', 'leave', 'extend']) {
    assert.match(html, new RegExp(`id="${id}"`), id);
  }
  for (const id of ['habit', 'need', 'continue']) assert.match(html, new RegExp(`<button id="${id}" type="button"[^>]*disabled`), `${id} starts disabled`);
  assert.match(html, /<input id="purpose"[^>]*type="text"/);
  assert.match(html, /<label for="purpose"/);
  assert.equal([...html.matchAll(/class="purpose-choice"/g)].length, 4);
  for (const v of [5, 15, 30]) assert.match(html, new RegExp(`<input type="radio" name="timebox" value="${v}"`));
  assert.match(html, /<button id="open" type="submit"/);
  const js = readFileSync(join(root, 'src/pages/prompt/prompt.js'), 'utf8');
  assert.match(js, /dataset\.shownMs = String\(fcp \? fcp\.startTime : performance\.now\(\)\)/);
  const overlay = readFileSync(join(root, 'src/content/overlay.js'), 'utf8');
  assert.match(overlay, /el\.id = 'mindful-overlay'/);
  assert.match(overlay, /el\.dataset\.feed = /);
  assert.match(overlay, /el\.dataset\.shownMs = String\(performance\.now\(\)\)/);
  assert.match(overlay, /attachShadow\(\{ mode: 'closed' \}\)/);
  assert.match(overlay, /'z-index': '2147483647'/);
  assert.match(overlay, /getURL\('src\/pages\/prompt\/prompt\.html'\)/);
});

// ------------------------------------------------------------- break page

test('web_accessible_resources: the break page and its files (the redirect target), for any page, in both browsers', () => {
  const page = 'src/pages/break/break.html';
  const files = [page, 'src/pages/break/break.css', ...moduleGraph(join(root, 'src/pages/break/break.js'))];
  for (const m of [chrome, firefox]) {
    const entry = m.web_accessible_resources.find((w) => w.resources.includes(page));
    assert.ok(entry, 'break.html is web accessible');
    assert.deepEqual(entry.matches, ['<all_urls>']);
    for (const f of files) assert.ok(entry.resources.includes(f), `${f} is web accessible`);
  }
});

test('the break page preloads every module it imports', () => {
  const html = readFileSync(join(root, 'src/pages/break/break.html'), 'utf8');
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => relative(root, resolve(join(root, 'src/pages/break'), m[1])));
  const graph = moduleGraph(join(root, 'src/pages/break/break.js')).filter((f) => f !== 'src/pages/break/break.js');
  assert.deepEqual([...preloaded].sort(), [...graph].sort());
});

test('the break page has the ids the end-to-end tests use', () => {
  const html = readFileSync(join(root, 'src/pages/break/break.html'), 'utf8');
  assert.match(html, /<main id="break" data-state="[a-z]*" data-key=""/);
  for (const id of ['break-name', 'time-left', 'reason', 'note', 'save-note', 'end-early', 'early-reason', 'wait', 'confirm-end', 'end-error']) {
    assert.match(html, new RegExp(`id="${id}"`), id);
  }
  assert.match(html, /<textarea id="note"/);
  assert.match(html, /<button id="save-note" type="button"/);
  assert.match(html, /<button id="end-early" type="button"/);
  assert.match(html, /<input id="early-reason"[^>]*type="text"/);
  assert.match(html, /<label for="early-reason"/);
  assert.match(html, /<label[^>]*for="note"/);
  assert.match(html, /<button id="confirm-end" type="submit" disabled>/, 'confirm starts disabled');
  assert.match(html, /<p id="end-error"[^>]*><\/p>/, 'no error at first');
});
