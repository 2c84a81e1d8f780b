// Background entry (Chromium service worker / Firefox event page).
// Wires real browser APIs into the modules; all logic lives in them.
// Listeners are registered synchronously at the top level so that an event
// that wakes the background is delivered.

import { HostAccess } from './access.js';
import { ActivityTracker } from './activity.js';
import { showBadge } from './badge.js';
import { Connection } from './connection.js';
import { Enforcement } from './enforcement.js';
import { identityProvider } from './identity.js';
import { nativePairing } from './native.js';
import { PROMPT_PATH } from './prompt-guard.js';
import { route } from './router.js';
import { watchDaemonAddr } from './settings.js';
import { EventQueue } from './queue.js';
import { TabMap } from './tab-map.js';
import { BREAK_PATH } from '../shared/break-url.js';
import { MemoryStorage } from '../shared/memory-storage.js';
import { detectBrowser, getApi, sessionArea } from '../shared/platform.js';
import { STATUS } from '../shared/status.js';
import { KEYS } from '../shared/storage-keys.js';

const api = getApi();
const local = api.storage.local;
const RECONNECT_ALARM = 'mindful-reconnect';
const IDLE_DETECTION_SECONDS = 60;

const log = (msg, err) => (err === undefined ? console.info(`mindful: ${msg}`) : console.warn(`mindful: ${msg}`, err));

const queue = new EventQueue({ storage: local, log });
const session = sessionArea(api) ?? new MemoryStorage({}, { areaName: 'session' });
const tabMap = new TabMap({ storage: session });

const identity = identityProvider({
  storage: local,
  detectBrowser: () => detectBrowser({ api }),
  extVersion: api.runtime.getManifest().version,
});

// One cheap extension API call: keeps Firefox's event page alive, and resets
// the idle timer of Chrome's service worker (Chrome 110+).
const keepalive = () => api.runtime.getPlatformInfo();

const connection = new Connection({
  WebSocket: globalThis.WebSocket,
  storage: local,
  queue,
  identity,
  keepalive,
  // Pair through the mindful app's native-messaging host before showing a code.
  nativePair: nativePairing({
    runtime: api.runtime,
    permissions: api.permissions,
    storage: local,
    origin: new URL(api.runtime.getURL('')).origin,
    log,
  }),
  log,
  onStatus: (status) => {
    showBadge(api.action, status).catch((err) => log('badge', err));
    // The link settled (connected with a fresh state, down, or unpaired):
    // the launch gate can be lifted (docs/enforcement.md).
    if (status !== STATUS.connecting) enforcement.decide();
  },
});

const enforcement = new Enforcement({
  local,
  session,
  dnr: api.declarativeNetRequest,
  tabs: api.tabs,
  windows: api.windows,
  idle: api.idle,
  alarms: api.alarms,
  queue,
  onQueued: () => connection.flush(),
  promptUrl: api.runtime.getURL(PROMPT_PATH),
  breakUrl: api.runtime.getURL(BREAK_PATH),
  keepalive,
  request: (type, body) => connection.request(type, body),
  // Our open pages (break pages look again); rejects when none listens.
  notifyPages: (msg) => api.runtime.sendMessage(msg),
  log,
});

const activity = new ActivityTracker({
  queue,
  tabMap,
  session,
  tabs: { get: (tabId) => api.tabs.get(tabId) },
  onQueued: () => connection.flush(),
  feedOf: (url) => enforcement.feedOf(url),
  log,
});

const access = new HostAccess({
  permissions: api.permissions,
  scripting: api.scripting,
  manifest: api.runtime.getManifest(),
  local,
  queue,
  onQueued: () => connection.flush(),
  log,
});

// Our own pages are trusted senders; content scripts are not (router.js).
const self = { id: api.runtime.id, baseUrl: api.runtime.getURL('') };
const routeMessage = (msg, sender, port) => route(msg, sender, { parts: enforcement, self, port, log });

// ---- activity, the prompt guard and the break enforcer (one listener per event)
api.webNavigation.onCommitted.addListener((details) => {
  activity.onCommitted(details);
  enforcement.onCommitted(details);
});
api.webNavigation.onHistoryStateUpdated.addListener((details) => enforcement.prompts.onHistoryStateUpdated(details));
api.tabs.onActivated.addListener((info) => {
  activity.onActivated(info);
  enforcement.prompts.onTabActivated(info);
});
api.tabs.onUpdated.addListener((tabId, change, tab) => enforcement.onTabUpdated(tabId, change, tab));
api.tabs.onRemoved.addListener((tabId, info) => {
  activity.onRemoved(tabId, info);
  enforcement.prompts.onTabRemoved(tabId);
});
api.windows.onFocusChanged.addListener((windowId) => {
  activity.onFocusChanged(windowId);
  enforcement.prompts.onFocusChanged(windowId);
});
api.idle.onStateChanged.addListener((state) => {
  activity.onIdleStateChanged(state);
  enforcement.prompts.onIdleStateChanged(state);
});

// ---- messages: content scripts and our pages (sendMessage), the prompt page (port)
api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const reply = routeMessage(msg, sender);
  if (!reply) return false;
  reply.then(sendResponse, (err) => {
    log('message handler', err);
    sendResponse(undefined);
  });
  return true; // the answer comes asynchronously
});
api.runtime.onConnect.addListener((port) => enforcement.prompts.onConnect(port, routeMessage));
api.storage.onChanged.addListener((changes, area) => {
  enforcement.onStorageChanged(changes, area);
  // New feeds, hosts or break sites may need access the extension lacks.
  if (area === 'local' && KEYS.daemonState in changes) access.refresh(changes[KEYS.daemonState].newValue);
});
// The user granted or withdrew site access (popup, options, the browser's own settings).
api.permissions.onAdded.addListener(() => access.refresh());
api.permissions.onRemoved.addListener(() => access.refresh());

// ---- keeping the link up
api.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === RECONNECT_ALARM) {
    connection.ensureConnected();
    enforcement.breaks.onWake(); // a break may start or end within the next minute and a half
  } else {
    enforcement.onAlarm(alarm);
  }
});
api.runtime.onStartup.addListener(() => connection.ensureConnected());
api.runtime.onInstalled.addListener((details) => {
  connection.ensureConnected();
  // The first-run page, once, when the browser did not grant every site
  // at install (some Firefox versions hold back MV3 host permissions).
  if (details?.reason !== 'install') return;
  access.refresh().then((a) => (a?.state === 'limited' ? api.runtime.openOptionsPage() : null)).catch((err) => log('first-run page', err));
});
watchDaemonAddr(api.storage.onChanged, connection);

// ---- test hook: never exposes the token itself
globalThis.mindfulDebug = {
  status: async () => {
    const got = await local.get([KEYS.status, KEYS.queue, KEYS.clientId, KEYS.token]);
    return {
      status: got[KEYS.status] ?? null,
      queued: Array.isArray(got[KEYS.queue]) ? got[KEYS.queue].length : 0,
      clientId: got[KEYS.clientId] ?? null,
      paired: Boolean(got[KEYS.token]),
    };
  },
  /** The current dynamic request rules (the launch layer, rulesync.js). */
  rules: () => api.declarativeNetRequest.getDynamicRules(),
  /** The current session request rules (the decided layer). */
  sessionRules: () => api.declarativeNetRequest.getSessionRules(),
  /** The running grants (feed, prompt id, time box, time counted). */
  grants: () => enforcement.prompts.grants(),
  /** The running breaks, the next start or end, whether the worker is kept awake. */
  breaks: () => enforcement.breaks.breaks(),
  /** Checks host access again and returns {state, missing_hosts}. */
  access: () => access.refresh(),
};

// ---- start
try {
  api.idle.setDetectionInterval(IDLE_DETECTION_SECONDS);
} catch (err) {
  log('idle.setDetectionInterval', err);
}
(async () => {
  const existing = await api.alarms.get(RECONNECT_ALARM);
  if (!existing) await api.alarms.create(RECONNECT_ALARM, { periodInMinutes: 1 });
})().catch((err) => log('alarm', err));
identity().catch((err) => log('identity', err)); // creates clientId on first run
enforcement.start(); // rebuilds the request rules from the cached state (lost if the browser was killed)
access.refresh();
api.tabs.query({}).then((tabs) => activity.seedTabs(tabs)).catch((err) => log('seeding tabs', err));
connection.start();
