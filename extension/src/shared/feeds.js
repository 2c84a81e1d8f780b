// Feed matching (docs/feeds.md): which URLs are a feed, their visit keys, and
// the RE2 regular expressions for declarativeNetRequest rules. Pure functions,
// no browser APIs. The Go twin is daemon/internal/feeds; both are tested
// against daemon/internal/feeds/testdata/urls.json and must produce the same
// regex strings (testdata/regexes.json).

/**
 * Normalizes a URL path (docs/feeds.md): lower case, repeated slashes
 * collapsed, trailing slash dropped except for the root "/". An empty path
 * is "/".
 * @param {string} pathname
 * @returns {string}
 */
export function normalizePath(pathname) {
  let p = String(pathname ?? '').toLowerCase().replace(/\/{2,}/g, '/');
  if (!p.startsWith('/')) p = '/' + p;
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

/** The segments of a normalized path: "/" -> [], "/r/x" -> ["r", "x"]. */
function segmentsOf(normalized) {
  return normalized === '/' ? [] : normalized.slice(1).split('/');
}

/**
 * Compiles one path pattern into its segments, or null if the pattern is not
 * usable ("**" anywhere but last). The pattern is normalized first.
 */
function compilePattern(pattern) {
  if (typeof pattern !== 'string') return null;
  const segs = segmentsOf(normalizePath(pattern));
  for (let i = 0; i < segs.length; i++) {
    if (segs[i] === '**' && i !== segs.length - 1) return null;
  }
  return segs;
}

/** Lower-cased, non-empty, unique host names of a feed, in order. */
function cleanHosts(hosts) {
  const out = [];
  if (!Array.isArray(hosts)) return out;
  for (const h of hosts) {
    if (typeof h !== 'string') continue;
    const host = h.toLowerCase();
    if (host !== '' && !out.includes(host)) out.push(host);
  }
  return out;
}

/** Usable patterns of a feed, as segment arrays. */
function cleanPatterns(paths) {
  const out = [];
  if (!Array.isArray(paths)) return out;
  for (const p of paths) {
    const segs = compilePattern(p);
    if (segs) out.push(segs);
  }
  return out;
}

function patternMatches(pat, segs) {
  const n = pat.length;
  if (n > 0 && pat[n - 1] === '**') {
    if (segs.length < n - 1) return false;
    for (let i = 0; i < n - 1; i++) {
      if (pat[i] !== '*' && pat[i] !== segs[i]) return false;
    }
    return true;
  }
  if (segs.length !== n) return false;
  for (let i = 0; i < n; i++) {
    if (pat[i] !== '*' && pat[i] !== segs[i]) return false;
  }
  return true;
}

/**
 * @typedef {{feeds: {id: string, name: string, hosts: string[], patterns: string[][]}[],
 *            byHost: Map<string, {id: string, name: string, patterns: string[][]}[]>}} Catalog
 */

/**
 * Compiles a feed list ({id, name, hosts, paths, enabled}) into a catalog for
 * matchUrl and hostsOf. Feeds with enabled === false or without an id are
 * skipped; missing hosts or paths count as empty; unusable patterns are
 * skipped. When two feeds share a host, the earlier one wins.
 * @param {unknown} feeds
 * @returns {Catalog}
 */
export function compileCatalog(feeds) {
  const compiled = [];
  const byHost = new Map();
  if (!Array.isArray(feeds)) return { feeds: compiled, byHost };
  for (const f of feeds) {
    if (!f || typeof f !== 'object') continue;
    if (f.enabled === false) continue;
    if (typeof f.id !== 'string' || f.id === '') continue;
    const feed = {
      id: f.id,
      name: typeof f.name === 'string' && f.name !== '' ? f.name : f.id,
      hosts: cleanHosts(f.hosts),
      patterns: cleanPatterns(f.paths),
    };
    compiled.push(feed);
    for (const h of feed.hosts) {
      if (!byHost.has(h)) byHost.set(h, []);
      byHost.get(h).push(feed);
    }
  }
  return { feeds: compiled, byHost };
}

/**
 * Matches a URL against a compiled catalog.
 * @param {Catalog} catalog
 * @param {string | URL} url
 * @returns {{feedId: string, name: string, key: string} | null}
 *   key is the visit key "feedId normalizedPath"; null for a URL that is not
 *   http(s), cannot be parsed, or is no feed.
 */
export function matchUrl(catalog, url) {
  if (!catalog || !(catalog.byHost instanceof Map)) return null;
  let u;
  try {
    u = url instanceof URL ? url : new URL(String(url));
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const candidates = catalog.byHost.get(u.hostname.toLowerCase());
  if (!candidates) return null;
  const path = normalizePath(u.pathname);
  const segs = segmentsOf(path);
  for (const feed of candidates) {
    for (const pat of feed.patterns) {
      if (patternMatches(pat, segs)) {
        return { feedId: feed.id, name: feed.name, key: `${feed.id} ${path}` };
      }
    }
  }
  return null;
}

// The same characters Go's regexp.QuoteMeta escapes.
function quoteMeta(s) {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function pathRegex(segs) {
  let out = '';
  for (const s of segs) {
    if (s === '**') return out + '(?:/[^?#]*)?';
    out += '/+' + (s === '*' ? '[^/?#]+' : quoteMeta(s));
  }
  return out + '/*';
}

/**
 * The budget for one regex's estimated cost (regexCost). Chromium refuses a
 * regexFilter whose RE2 program exceeds 2 KB (isRegexSupported reason
 * "memoryLimitExceeded"), which a 6-host alternation already does; a regex
 * within this budget compiles in that limit with room to spare.
 */
export const REGEX_BUDGET = 120;

const utf8 = new TextEncoder();

/**
 * A conservative estimate of a generated regex's RE2 program size under
 * case folding: one per byte, more for letters that fold to non-ASCII (k, s),
 * character classes and ".*". Measured against RE2 (Debian 12's and
 * Chromium 156's): the program size stays below 0.75 × this estimate.
 */
export function regexCost(re) {
  let cost = utf8.encode(re).length;
  for (const c of re) {
    if (c === 'k') cost += 3;
    else if (c === 's') cost += 2;
    else if (c === '[') cost += 8;
  }
  return cost + 8 * (re.split('.*').length - 1);
}

/** The registrable-looking part hosts are grouped by: the last two labels. */
function hostKey(host) {
  const labels = host.split('.');
  return labels.length <= 2 ? host : labels.slice(-2).join('.');
}

/** The regex for hosts that all end in "." + key or are key itself. */
function hostRegex(key, prefixes) {
  const hasBare = prefixes.includes('');
  const subs = prefixes.filter((p) => p !== '').map((p) => quoteMeta(p.slice(0, -1)));
  if (subs.length === 0) return quoteMeta(key);
  const inner = subs.length === 1 ? subs[0] : '(?:' + subs.join('|') + ')';
  return hasBare ? '(?:' + inner + '\\.)?' + quoteMeta(key) : inner + '\\.' + quoteMeta(key);
}

function fullRegex(hostPart, pathPart) {
  return '^https?://' + hostPart + '(?::\\d+)?' + pathPart + '(?:[?#].*)?$';
}

/**
 * The declarativeNetRequest regexFilter strings of a feed: RE2 regexes
 * matching whole http(s) URLs on the feed's hosts (any port, any query and
 * fragment) whose path matches one of its patterns. Hosts sharing their last
 * two labels are factored into one regex ("(?:(?:www|m)\.)?reddit\.com"),
 * split so that every regex stays within REGEX_BUDGET; the result is ordered
 * by pattern, then host group. The regexes are written for lower case: rules
 * must set isUrlFilterCaseSensitive: false. A feed without hosts has none.
 * The Go function feeds.Regexes returns the same strings.
 * @param {{hosts?: string[], paths?: string[]}} feed
 * @returns {string[]}
 */
export function feedRegexes(feed) {
  if (!feed || typeof feed !== 'object') return [];
  const groups = new Map();
  for (const host of cleanHosts(feed.hosts)) {
    const key = hostKey(host);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(host.slice(0, host.length - key.length));
  }
  const out = [];
  for (const segs of cleanPatterns(feed.paths)) {
    const pathPart = pathRegex(segs);
    for (const [key, prefixes] of groups) {
      let chunk = [];
      for (const p of prefixes) {
        if (chunk.length > 0 && regexCost(fullRegex(hostRegex(key, [...chunk, p]), pathPart)) > REGEX_BUDGET) {
          out.push(fullRegex(hostRegex(key, chunk), pathPart));
          chunk = [];
        }
        chunk.push(p);
      }
      out.push(fullRegex(hostRegex(key, chunk), pathPart));
    }
  }
  return out;
}

/**
 * The sorted unique host names of a catalog's (enabled) feeds.
 * @param {Catalog} catalog
 * @returns {string[]}
 */
export function hostsOf(catalog) {
  if (!catalog || !(catalog.byHost instanceof Map)) return [];
  return [...catalog.byHost.keys()].sort();
}
