// The "grant access" step, shared by the popup and the options page
// (the first-run page): it reads storage.local `access`
// (background/access.js) and asks the browser for the missing sites.

import { KEYS } from './storage-keys.js';

/** The match pattern that covers a host over http and https. */
export function originPattern(host) {
  return `*://${host}/*`;
}

/** Hosts named in the text before "and N more". */
export const NAMED_HOSTS = 3;

/**
 * What the step says for a stored access summary: hidden when every site
 * can be acted on.
 * @param {{state?: string, missing_hosts?: string[]} | undefined} access
 * @returns {{show: boolean, text: string, hosts: string[]}}
 */
export function describeAccess(access) {
  const hosts = Array.isArray(access?.missing_hosts) ? access.missing_hosts.filter((h) => typeof h === 'string') : [];
  if (access?.state !== 'limited' || hosts.length === 0) return { show: false, text: '', hosts: [] };
  const named = hosts.slice(0, NAMED_HOSTS).join(', ');
  const more = hosts.length > NAMED_HOSTS ? ` and ${hosts.length - NAMED_HOSTS} more` : '';
  const one = hosts.length === 1;
  const what = one ? 'this site' : `these ${hosts.length} sites`;
  const rest = one
    ? 'Its feeds open without the question and breaks do not block it until you grant access.'
    : 'Their feeds open without the question and breaks do not block them until you grant access.';
  return { show: true, hosts, text: `mindful may not act on ${what}: ${named}${more}. ${rest}` };
}

/**
 * Binds the step's elements: `#access` (the section), `#access-text` and the
 * `#grant-access` button. Updates live as storage changes.
 * @param {Document} doc
 * @param {object} api  the extension API (storage, permissions)
 */
export function bindAccessStep(doc, api) {
  const section = doc.getElementById('access');
  const text = doc.getElementById('access-text');
  const button = doc.getElementById('grant-access');
  let view = describeAccess(undefined);
  const render = (access) => {
    view = describeAccess(access);
    section.hidden = !view.show;
    text.textContent = view.text;
  };
  button.addEventListener('click', () => {
    // permissions.request must run in the click itself, before any await.
    api.permissions.request({ origins: view.hosts.map(originPattern) }).catch(() => false);
  });
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && KEYS.access in changes) render(changes[KEYS.access].newValue);
  });
  api.storage.local.get(KEYS.access).then((got) => render(got[KEYS.access]));
}
