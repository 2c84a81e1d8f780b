// The popup: shows the connection status, the pairing code and the queue
// length, straight from storage.local, and updates live. It never reads the token.

import { bindAccessStep } from '../../shared/access-view.js';
import { glance } from '../../shared/glance.js';
import { getApi } from '../../shared/platform.js';
import { describeStatus } from '../../shared/status.js';
import { KEYS } from '../../shared/storage-keys.js';

const api = getApi();
bindAccessStep(document, api);
const WATCHED = [KEYS.status, KEYS.pairing, KEYS.lastError, KEYS.queue, KEYS.daemonState];
const state = {};

function render() {
  const status = typeof state[KEYS.status] === 'string' ? state[KEYS.status] : '';
  const pairing = state[KEYS.pairing] ?? null;
  const { parts, detail } = describeStatus({ status, pairing, lastError: state[KEYS.lastError] });

  const el = document.getElementById('state');
  el.dataset.state = status;
  el.replaceChildren(
    ...parts.map((p) => {
      if (p.code === undefined) return document.createTextNode(p.text);
      const code = document.createElement('code');
      code.textContent = p.code;
      return code;
    }),
  );

  const detailEl = document.getElementById('detail');
  detailEl.textContent = detail;
  detailEl.hidden = !detail;

  const code = status === 'pairing' && typeof pairing?.code === 'string' ? pairing.code : '';
  document.getElementById('pair-code').textContent = code;
  document.getElementById('pair').hidden = !code;

  const queue = state[KEYS.queue];
  document.getElementById('queued').textContent = String(Array.isArray(queue) ? queue.length : 0);

  // The day at a glance, from the cached state (also while mindful is away).
  const today = document.getElementById('today');
  const g = glance(state[KEYS.daemonState], Date.now());
  today.hidden = !state[KEYS.daemonState];
  today.dataset.onBreak = String(g.onBreak);
  document.getElementById('today-opens').textContent = g.opens;
  const brk = document.getElementById('today-break');
  brk.textContent = g.brk;
  brk.hidden = !g.brk;
}

// A break may start or end while the popup is open.
setInterval(render, 30_000);

api.storage.onChanged.addListener((changes, area) => {
  if (area !== 'local') return;
  let touched = false;
  for (const key of WATCHED) {
    if (key in changes) {
      state[key] = changes[key].newValue;
      touched = true;
    }
  }
  if (touched) render();
});

document.getElementById('open-options').addEventListener('click', () => {
  api.runtime.openOptionsPage().then(() => window.close()).catch(() => {});
});

api.storage.local.get(WATCHED).then((got) => {
  // A change that arrived while this read was under way is newer: keep it.
  for (const key of WATCHED) if (!(key in state) && key in got) state[key] = got[key];
  render();
});
