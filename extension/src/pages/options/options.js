// Options: the daemon address. The background reconnects as soon as the
// stored value changes.

import { parseDaemonAddr } from '../../shared/addr.js';
import { bindAccessStep } from '../../shared/access-view.js';
import { getApi } from '../../shared/platform.js';
import { DEFAULT_DAEMON_ADDR, KEYS } from '../../shared/storage-keys.js';

const api = getApi();
bindAccessStep(document, api);
const input = document.getElementById('daemon-addr');
const error = document.getElementById('addr-error');
const saved = document.getElementById('saved');

function showError(text) {
  error.textContent = text;
  error.hidden = !text;
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

input.addEventListener('input', () => {
  saved.textContent = '';
  showError('');
});

document.getElementById('form').addEventListener('submit', async (e) => {
  e.preventDefault();
  saved.textContent = '';
  const parsed = parseDaemonAddr(input.value);
  if (!parsed.ok) {
    showError(parsed.error);
    input.focus();
    return;
  }
  showError('');
  input.value = parsed.value;
  try {
    await api.storage.local.set({ [KEYS.daemonAddr]: parsed.value });
    saved.textContent = 'Saved';
  } catch (err) {
    showError(`Could not save: ${err?.message ?? err}`);
  }
});

api.storage.local.get(KEYS.daemonAddr).then((got) => {
  const v = got[KEYS.daemonAddr];
  if (input.value === '') input.value = typeof v === 'string' && v ? v : DEFAULT_DAEMON_ADDR;
});
