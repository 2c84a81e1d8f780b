// The prompt page's address, built in one place: the redirect rules
// (background/rules.js), the background's own redirects (prompt-guard.js). The
// content scripts build the overlay's (content/core.js frameUrl, a classic
// script that cannot import this) the same way, and a test holds them together.
//
//   prompt.html?f=<feed id>[&n=<encoded name>]&u=<raw URL>               a redirect rule
//   prompt.html?f=<feed id>[&n=<encoded name>]&u=<encoded URL>&mode=…    built by the extension
//
// `n`, the feed's display name, lets the page's first frame say "Reddit"
// before any module has loaded (pages/prompt/first-frame.js reads it). It
// always comes before `u`: after "u=" a redirect puts the raw URL, which may
// hold an "&n=" of its own. The page takes the name only as a first guess:
// the background's answer to prompt_open names the feed from the catalog.

/** Longest name carried in the address, in code points. */
export const MAX_NAME_LENGTH = 64;

/** "&n=<encoded name>", or "" for no usable name. */
export function nameParam(name) {
  if (typeof name !== 'string') return '';
  const s = Array.from(name.trim()).slice(0, MAX_NAME_LENGTH).join('');
  if (s === '') return '';
  try {
    return `&n=${encodeURIComponent(s)}`;
  } catch {
    return ''; // a lone surrogate
  }
}

/**
 * The regexSubstitution of a feed's redirect rule: \0 is the whole original
 * URL, unencoded, so it is everything after "u=".
 */
export function promptSubstitution(promptUrl, feedId, name) {
  return `${promptUrl}?f=${feedId}${nameParam(name)}&u=\\0`;
}

/**
 * A prompt page address the extension opens itself (u encoded).
 * @param {string} promptUrl
 * @param {{feedId: string, name?: string, url: string, mode?: 'navigation' | 'done', promptId?: string}} o
 */
export function promptPageUrl(promptUrl, { feedId, name, url, mode = 'navigation', promptId }) {
  let s = `${promptUrl}?f=${feedId}${nameParam(name)}&u=${encodeURIComponent(url)}`;
  if (mode === 'done') s += `&mode=done&p=${encodeURIComponent(promptId ?? '')}`;
  return s;
}
