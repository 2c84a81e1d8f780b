// The manifests and the files they name: what the lead's build tool will
// merge (base + overlay, objects recursively, arrays and scalars replaced)
// and copy.

import { test } from 'node:test';
import assert from 'node:assert/strict';
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

const base = readJson('manifests/base.json');
const chrome = deepMerge(base, readJson('manifests/chrome.json'));
const firefox = deepMerge(base, readJson('manifests/firefox.json'));

function referencedPaths(m) {
  return [
    m.action?.default_popup,
    m.options_ui?.page,
    m.background?.service_worker,
    ...(m.background?.scripts ?? []),
    ...Object.values(m.icons ?? {}),
    ...Object.values(m.action?.default_icon ?? {}),
  ].filter(Boolean);
}

test('base manifest: shared keys', () => {
  assert.equal(base.manifest_version, 3);
  assert.equal(base.name, 'mindful');
  assert.equal(base.version, '0.1.0');
  assert.ok(base.description.length > 10);
  assert.deepEqual([...base.permissions].sort(), ['alarms', 'idle', 'storage', 'tabs', 'webNavigation']);
  assert.equal(base.action.default_popup, 'src/pages/popup/popup.html');
  assert.deepEqual(base.options_ui, { page: 'src/pages/options/options.html', open_in_tab: true });
  assert.equal(base.host_permissions, undefined);
  assert.equal(base.background, undefined, 'background is per browser');
});

test('package.json: no dependencies, node --test', () => {
  const pkg = readJson('package.json');
  assert.deepEqual(pkg, { name: 'mindful-extension', private: true, type: 'module', scripts: { test: 'node --test test/' } });
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
  assert.deepEqual(firefox.browser_specific_settings.gecko, { id: 'mindful@mindful-app.org', strict_min_version: '128.0' });
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
  assert.equal(html.length, 2);
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

test('browser checks live only in shared/platform.js', () => {
  for (const f of srcFiles.filter((x) => x.endsWith('.js') && !x.endsWith('platform.js'))) {
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
