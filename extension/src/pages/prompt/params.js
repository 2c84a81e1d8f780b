// What a prompt page URL says. Two forms reach the page:
//
//   prompt.html?f=<feed id>[&n=<name>]&u=<raw URL>       a redirect rule (rules.js):
//       everything after "u=" is the original URL, unencoded, query and
//       fragment included (a "#" in it lands in location.hash, so read href);
//   prompt.html?f=<feed id>[&n=<name>]&u=<encoded URL>&mode=overlay|done[&p=<prompt id>]
//       built by the extension itself (content/core.js frameUrl, the
//       background's done redirect), with u percent-encoded.
//
// n, the feed's name, is for the first frame only (first-frame.js reads it;
// shared/prompt-url.js builds it); this parser skips it.
//
// A raw URL always starts with "http:" or "https:"; an encoded one never
// does (its ":" is "%3A"). That is how the two are told apart.

import { FEED_ID_PATTERN, FEED_ID_RE } from '../../shared/feed-id.js';

// f=<feed id>[&n=<name>]&u=, the head of a redirect's address.
const RAW_HEAD = new RegExp(`^f=(${FEED_ID_PATTERN})(?:&n=[^&#]*)?&u=`);

/**
 * @param {string} href  the page's location.href
 * @returns {{ok: true, feedId: string, url: string, mode: 'navigation' | 'overlay' | 'done', doneFor?: string} | {ok: false}}
 */
export function parsePromptUrl(href) {
  const s = String(href ?? '');
  const q = s.indexOf('?');
  if (q < 0) return { ok: false };
  const query = s.slice(q + 1);
  const m = RAW_HEAD.exec(query);
  if (m) {
    const rest = query.slice(m[0].length);
    if (/^https?:/i.test(rest)) {
      return validUrl(rest) ? { ok: true, feedId: m[1], url: rest, mode: 'navigation' } : { ok: false };
    }
  }
  const hash = query.indexOf('#');
  const params = new URLSearchParams(hash < 0 ? query : query.slice(0, hash));
  const feedId = params.get('f') ?? '';
  const url = params.get('u') ?? '';
  const mode = params.get('mode') ?? 'navigation';
  if (!FEED_ID_RE.test(feedId) || !validUrl(url) || !['navigation', 'overlay', 'done'].includes(mode)) return { ok: false };
  const out = { ok: true, feedId, url, mode };
  if (mode === 'done') {
    const p = params.get('p') ?? '';
    if (p === '' || p.length > 64) return { ok: false };
    out.doneFor = p;
  }
  return out;
}

function validUrl(u) {
  if (!/^https?:\/\//i.test(u)) return false;
  try {
    const parsed = new URL(u);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}
