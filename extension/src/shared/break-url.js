// The break page's address. Two forms reach the page:
//
//   break.html?k=<encoded key>&u=<raw URL>             a redirect rule (rules.js):
//       everything after "u=" is the original URL, unencoded, query and
//       fragment included. Loaded this way, the page counts an attempt.
//   break.html?k=<encoded key>&s=1&u=<encoded URL>      a tab switched by the
//       background when a break started (not an attempt).
//
// A raw URL always starts with "http:" or "https:"; an encoded one never
// does (its ":" is "%3A"). That is how the two are told apart.

export const BREAK_PATH = 'src/pages/break/break.html';

/**
 * The key of the launch gate (background/rulesync.js; the static ruleset of
 * installer/extpack has the same): the page waits until the background has
 * decided, then shows the break that covers the URL or sends the tab on.
 */
export const GATE_KEY = 'mindful-gate';

/** The regexSubstitution of a break's redirect rule: \0 is the whole original URL. */
export function breakSubstitution(breakUrl, key) {
  return `${breakUrl}?k=${encodeURIComponent(key)}&u=\\0`;
}

/** The page a tab that was open on a blocked site switches to when a break starts. */
export function breakSwitchUrl(breakUrl, key, url) {
  return `${breakUrl}?k=${encodeURIComponent(key)}&s=1&u=${encodeURIComponent(url)}`;
}

/** Whether a tab's URL is the break page. */
export function isBreakPage(url, breakUrl) {
  return typeof url === 'string' && typeof breakUrl === 'string' && breakUrl !== '' &&
    (url === breakUrl || url.startsWith(`${breakUrl}?`) || url.startsWith(`${breakUrl}#`));
}

function httpUrl(u) {
  if (typeof u !== 'string' || !/^https?:\/\//i.test(u)) return false;
  try {
    const p = new URL(u);
    return (p.protocol === 'http:' || p.protocol === 'https:') && p.hostname !== '';
  } catch {
    return false;
  }
}

function decode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * @param {string} href  the page's location.href
 * @returns {{ok: true, key: string, url: string, switched: boolean} | {ok: false}}
 *   switched: the background sent the tab here (no attempt); false: a redirect.
 */
export function parseBreakUrl(href) {
  const s = String(href ?? '');
  const q = s.indexOf('?');
  if (q < 0) return { ok: false };
  const query = s.slice(q + 1);
  const raw = /^k=([^&#]{1,400})&u=/.exec(query);
  if (raw) {
    const rest = query.slice(raw[0].length);
    if (/^https?:/i.test(rest)) {
      const key = decode(raw[1]);
      if (key === null || key === '' || key.length > 128 || !httpUrl(rest)) return { ok: false };
      return { ok: true, key, url: rest, switched: false };
    }
  }
  const hash = query.indexOf('#');
  const params = new URLSearchParams(hash < 0 ? query : query.slice(0, hash));
  const key = params.get('k') ?? '';
  const url = params.get('u') ?? '';
  if (key === '' || key.length > 128 || !httpUrl(url) || params.get('s') !== '1') return { ok: false };
  return { ok: true, key, url, switched: true };
}
