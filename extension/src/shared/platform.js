// The only module that knows which browser it runs in.

/** The extension API namespace: Firefox's promise-based `browser`, else Chromium's `chrome`. */
export function getApi(g = globalThis) {
  return g.browser ?? g.chrome;
}

/** True when the API has Firefox's runtime.getBrowserInfo. */
export function isGecko(api) {
  return typeof api?.runtime?.getBrowserInfo === 'function';
}

/**
 * The storage area for per-session data: storage.session where the browser
 * has it (Chrome 102+, Firefox 115+), else null.
 */
export function sessionArea(api) {
  return api?.storage?.session ?? null;
}

// Checked in this order: Chrome, Edge, Opera, ... all also list "Chromium".
const BRAND_NAMES = [
  ['Microsoft Edge', 'edge'],
  ['Opera GX', 'opera'],
  ['Opera', 'opera'],
  ['Vivaldi', 'vivaldi'],
  ['Brave', 'brave'],
  ['Google Chrome', 'chrome'],
  ['Chromium', 'chromium'],
  ['HeadlessChrome', 'chromium'],
];

/**
 * Name and version of a Firefox-family browser from runtime.getBrowserInfo().
 * getBrowserInfo() has no channel, and on ESR its version has no "esr"
 * suffix; releases are always N.0 or N.0.x while ESR point releases are N.x.0
 * with x ≥ 1, so a non-zero minor version means ESR. (The first build of an
 * ESR branch, N.0esr, is the same as release N.0 and is reported as firefox.)
 */
export function classifyGecko(info) {
  const name = String(info?.name ?? '');
  const version = String(info?.version ?? '');
  if (name !== 'Firefox') return { browser: 'gecko', version };
  const esr = /esr/i.test(version) || /^\d+\.[1-9]\d*/.test(version);
  return { browser: esr ? 'firefox-esr' : 'firefox', version: version.replace(/esr$/i, '') };
}

/** Browser name from navigator.userAgentData.brands (plus navigator.brave). */
export function classifyBrands(brands, nav) {
  if (nav?.brave && typeof nav.brave.isBrave === 'function') return { browser: 'brave', brand: 'Brave' };
  const names = new Set((brands ?? []).map((b) => b?.brand));
  for (const [brand, browser] of BRAND_NAMES) {
    if (names.has(brand)) return { browser, brand };
  }
  return { browser: 'unknown', brand: undefined };
}

/** Fallback when userAgentData is missing: the User-Agent string. */
export function classifyUserAgent(ua) {
  const s = String(ua ?? '');
  const pick = (re) => re.exec(s)?.[1] ?? '';
  if (/Edg\//.test(s)) return { browser: 'edge', version: pick(/Edg\/([\d.]+)/) };
  if (/OPR\//.test(s)) return { browser: 'opera', version: pick(/OPR\/([\d.]+)/) };
  if (/Vivaldi\//.test(s)) return { browser: 'vivaldi', version: pick(/Vivaldi\/([\d.]+)/) };
  if (/Firefox\//.test(s)) return { browser: 'firefox', version: pick(/Firefox\/([\d.]+)/) };
  if (/(Chrome|Chromium|HeadlessChrome)\//.test(s)) {
    return { browser: 'chromium', version: pick(/(?:Chrome|Chromium|HeadlessChrome)\/([\d.]+)/) };
  }
  return { browser: 'unknown', version: '' };
}

/**
 * Detects the browser for `hello` / `pair_request`.
 * @returns {Promise<{browser: string, browser_version: string}>}
 */
export async function detectBrowser({ api = getApi(), nav = globalThis.navigator } = {}) {
  if (isGecko(api)) {
    try {
      const { browser, version } = classifyGecko(await api.runtime.getBrowserInfo());
      return { browser, browser_version: version };
    } catch {
      return { browser: 'gecko', browser_version: '' };
    }
  }
  const uaData = nav?.userAgentData;
  if (uaData && Array.isArray(uaData.brands)) {
    const { browser, brand } = classifyBrands(uaData.brands, nav);
    let fullList = [];
    try {
      const high = await uaData.getHighEntropyValues(['fullVersionList']);
      if (Array.isArray(high?.fullVersionList)) fullList = high.fullVersionList;
    } catch {
      // fall back to the major versions in brands
    }
    const versionOf = (name) =>
      fullList.find((b) => b?.brand === name)?.version ?? uaData.brands.find((b) => b?.brand === name)?.version;
    const version = (brand && versionOf(brand)) || versionOf('Chromium') || '';
    if (browser !== 'unknown') return { browser, browser_version: version };
  }
  const { browser, version } = classifyUserAgent(nav?.userAgent);
  return { browser, browser_version: version };
}
