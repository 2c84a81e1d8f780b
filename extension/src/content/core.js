// The overlay's decisions, as pure functions. A classic script (manifest
// content scripts cannot be ES modules), so it puts its API on
// globalThis.mindfulCore, which in a content script is the isolated world's
// own global, invisible to the page. Tests load it with node:vm.
//
// Matching uses the background's compiled catalog: for each enabled feed its
// RE2 regexes from shared/feeds.js (feedRegexes), which are also valid
// JavaScript regexes. The first feed whose regex matches wins, in catalog
// order, exactly like feeds.js matchUrl; the visit key is
// "<feed id> <normalized path>" (docs/feeds.md). A test checks both agree on
// the shared URL table.
(function (root) {
  'use strict';

  /** docs/feeds.md normalization: lower case, no repeated slashes, no trailing slash but "/". */
  function normalizePath(pathname) {
    let p = String(pathname == null ? '' : pathname).toLowerCase().replace(/\/{2,}/g, '/');
    if (p.charAt(0) !== '/') p = '/' + p;
    if (p.length > 1 && p.charAt(p.length - 1) === '/') p = p.slice(0, -1);
    return p;
  }

  /**
   * Compiles the catalog the background sends: [{id, name, res: [regex]}].
   * Regexes that do not compile are skipped.
   */
  function compile(catalog) {
    const out = [];
    for (const f of Array.isArray(catalog) ? catalog : []) {
      if (!f || typeof f.id !== 'string' || !Array.isArray(f.res)) continue;
      const res = [];
      for (const r of f.res) {
        try {
          res.push(new RegExp(r, 'i'));
        } catch (_) {
          // skipped
        }
      }
      out.push({ id: f.id, name: typeof f.name === 'string' ? f.name : f.id, res });
    }
    return out;
  }

  /** {feedId, name, key} for an http(s) URL that is a feed, else null. */
  function match(compiled, href) {
    let u;
    try {
      u = new URL(String(href));
    } catch (_) {
      return null;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    const whole = u.href;
    for (const f of compiled) {
      for (const re of f.res) {
        if (re.test(whole)) return { feedId: f.id, name: f.name, key: f.id + ' ' + normalizePath(u.pathname) };
      }
    }
    return null;
  }

  function granted(grants, feedId, now) {
    for (const g of Array.isArray(grants) ? grants : []) {
      if (g && g.feedId === feedId && typeof g.endsAt === 'number' && g.endsAt > now) return true;
    }
    return false;
  }

  /**
   * What to do with the overlay after the URL changed (or was first seen).
   * @param {{href: string, compiled: object[], grants: {feedId: string, endsAt: number}[],
   *          pausedUntil: number | null, now: number,
   *          overlay: {feedId: string, key: string, mode: string} | null}} s
   * @returns {{action: 'none' | 'show' | 'keep' | 'remove' | 'replace', match: object | null}}
   *   show: attach a prompt overlay; keep: leave the one that is up; remove:
   *   take it down (the user left the feed); replace: take it down and show
   *   one for another feed.
   */
  function decide(s) {
    const m = match(s.compiled, s.href);
    const needed = m !== null && !(s.pausedUntil !== null && s.now < s.pausedUntil) && !granted(s.grants, m.feedId, s.now);
    const up = s.overlay;
    if (up) {
      if (m !== null && m.feedId === up.feedId) return { action: 'keep', match: m };
      if (up.mode === 'done') return { action: m !== null && needed ? 'replace' : 'remove', match: m };
      return { action: needed ? 'replace' : 'remove', match: m };
    }
    return { action: needed ? 'show' : 'none', match: m };
  }

  /** "&n=<encoded name>" as shared/prompt-url.js nameParam writes it ("" for none). */
  function nameParam(name) {
    if (typeof name !== 'string') return '';
    const s = Array.from(name.trim()).slice(0, 64).join('');
    if (s === '') return '';
    try {
      return '&n=' + encodeURIComponent(s);
    } catch (_) {
      return '';
    }
  }

  /**
   * The iframe URL of the overlay: the prompt page with the feed's name (for
   * its first frame), the target URL encoded (so it has no raw "&", "?" or
   * "#"), then the mode.
   */
  function frameUrl(promptUrl, o) {
    let s = promptUrl + '?f=' + o.feedId + nameParam(o.name) + '&u=' + encodeURIComponent(o.url) + '&mode=' + (o.mode === 'done' ? 'done' : 'overlay');
    if (o.mode === 'done' && o.promptId) s += '&p=' + encodeURIComponent(o.promptId);
    return s;
  }

  root.mindfulCore = Object.freeze({ compile, decide, frameUrl, granted, match, nameParam, normalizePath });
})(globalThis);
