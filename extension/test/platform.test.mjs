import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyGecko, detectBrowser, getApi, sessionArea } from '../src/shared/platform.js';
import { BROWSERS } from '../src/shared/protocol.js';

const chromiumApi = { runtime: {} };
const uaData = (brands, full) => ({
  brands,
  getHighEntropyValues: async () => ({ brands, fullVersionList: full ?? brands }),
});

test('Debian headless chromium is "chromium" with its full version', async () => {
  const brands = [{ brand: 'Chromium', version: '156' }, { brand: 'Not_A Brand', version: '24' }];
  const full = [{ brand: 'Chromium', version: '156.0.8078.73' }, { brand: 'Not_A Brand', version: '24.0.0.0' }];
  const got = await detectBrowser({ api: chromiumApi, nav: { userAgentData: uaData(brands, full) } });
  assert.deepEqual(got, { browser: 'chromium', browser_version: '156.0.8078.73' });
});

test('a HeadlessChrome brand is chromium too', async () => {
  const brands = [{ brand: 'HeadlessChrome', version: '156' }, { brand: 'Not=A?Brand', version: '8' }];
  const got = await detectBrowser({ api: chromiumApi, nav: { userAgentData: uaData(brands) } });
  assert.equal(got.browser, 'chromium');
});

test('Chrome, Edge, Opera, Vivaldi and Brave are told apart from plain Chromium', async () => {
  const cases = [
    [[{ brand: 'Google Chrome', version: '156' }, { brand: 'Chromium', version: '156' }], {}, 'chrome'],
    [[{ brand: 'Chromium', version: '156' }, { brand: 'Microsoft Edge', version: '156' }], {}, 'edge'],
    [[{ brand: 'Opera', version: '120' }, { brand: 'Chromium', version: '156' }], {}, 'opera'],
    [[{ brand: 'Vivaldi', version: '7' }, { brand: 'Chromium', version: '156' }], {}, 'vivaldi'],
    [[{ brand: 'Brave', version: '156' }, { brand: 'Chromium', version: '156' }], {}, 'brave'],
    [[{ brand: 'Chromium', version: '156' }], { brave: { isBrave: async () => true } }, 'brave'],
  ];
  for (const [brands, extra, want] of cases) {
    const got = await detectBrowser({ api: chromiumApi, nav: { userAgentData: uaData(brands), ...extra } });
    assert.equal(got.browser, want, JSON.stringify(brands));
    assert.ok(got.browser_version.length > 0, `${want} has a version`);
  }
});

test('high-entropy failure falls back to the major version', async () => {
  const brands = [{ brand: 'Chromium', version: '156' }];
  const nav = { userAgentData: { brands, getHighEntropyValues: async () => { throw new Error('denied'); } } };
  assert.deepEqual(await detectBrowser({ api: chromiumApi, nav }), { browser: 'chromium', browser_version: '156' });
});

test('no userAgentData: the User-Agent string', async () => {
  const ua = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
  assert.deepEqual(await detectBrowser({ api: chromiumApi, nav: { userAgent: ua } }), {
    browser: 'chromium',
    browser_version: '156.0.0.0',
  });
  assert.equal((await detectBrowser({ api: chromiumApi, nav: {} })).browser, 'unknown');
});

test('Firefox via runtime.getBrowserInfo: release, ESR, other Gecko', async () => {
  const ff = (info) => ({ runtime: { getBrowserInfo: async () => info } });
  const nav = { userAgentData: uaData([{ brand: 'Chromium', version: '1' }]) }; // must be ignored on Gecko
  assert.deepEqual(await detectBrowser({ api: ff({ name: 'Firefox', version: '153.0' }), nav }), {
    browser: 'firefox',
    browser_version: '153.0',
  });
  assert.deepEqual(await detectBrowser({ api: ff({ name: 'Firefox', version: '153.0.2' }), nav }), {
    browser: 'firefox',
    browser_version: '153.0.2',
  });
  assert.deepEqual(await detectBrowser({ api: ff({ name: 'Firefox', version: '153.7.0' }), nav }), {
    browser: 'firefox-esr',
    browser_version: '153.7.0',
  });
  assert.equal((await detectBrowser({ api: ff({ name: 'Firefox', version: '140.3.0esr' }), nav })).browser, 'firefox-esr');
  assert.equal((await detectBrowser({ api: ff({ name: 'Thunderbird', version: '140.0' }), nav })).browser, 'gecko');
  const broken = { runtime: { getBrowserInfo: async () => { throw new Error('x'); } } };
  assert.equal((await detectBrowser({ api: broken, nav })).browser, 'gecko');
});

test('every name detectBrowser can return is in the protocol list', () => {
  for (const v of ['153.0', '153.1.0']) assert.ok(BROWSERS.includes(classifyGecko({ name: 'Firefox', version: v }).browser));
  assert.ok(BROWSERS.includes(classifyGecko({ name: 'SeaMonkey', version: '2' }).browser));
});

test('getApi prefers browser over chrome; sessionArea is null without storage.session', () => {
  const browser = { id: 'b' };
  const chrome = { id: 'c' };
  assert.equal(getApi({ browser, chrome }), browser);
  assert.equal(getApi({ chrome }), chrome);
  assert.equal(sessionArea({ storage: { local: {} } }), null);
  const session = {};
  assert.equal(sessionArea({ storage: { session } }), session);
});
