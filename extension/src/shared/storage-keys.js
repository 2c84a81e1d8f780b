// Every storage key the extension uses, in one place.
//
// storage.local (persists across browser restarts):
//   clientId       string   random per-profile UUID, made once
//   token          string   pairing token (64 hex digits); read and written by the background only
//   daemonAddr     string   "host:port" of the daemon; default DEFAULT_DAEMON_ADDR
//   pairing        object   {code, expires_at} while a pairing code waits for approval
//   queue          array    events not yet acknowledged by the daemon, oldest first
//   droppedEvents  number   events dropped because the queue was full
//   status         string   one of STATUS (shared/status.js)
//   lastError      string   human-readable reason for the last failure, "" when none
//   daemonState    object   the daemon's state from the last `welcome` or `state` message
//                           (feed catalog, prompt settings, pause, habit count, the break
//                           schedule of the coming days); prompts, breaks and request rules are
//                           built from it, so they work while the daemon is away
//   grants         object   {active: [grant], ended: [{promptId, rootId, feedId, endedAt, extended}]}:
//                           feeds opened after a `need` / `habit_continued` answer, until their
//                           time box ends, with the time spent on them (background/grants.js)
//   habitLog       array    times (ms) of habit answers given since daemonState last changed,
//                           added to its habit_opens_today for the breathing pause
//   access         object   {state: "full"|"limited", missing_hosts: [host]}: the sites the
//                           extension needs but may not act on (background/access.js); the
//                           popup and the options page offer to grant them
//   nativePairingOff  true  set when the user unpaired this browser: from then on only a typed
//                           code pairs it again, not native messaging (background/native.js)
//
// storage.session (cleared when the browser quits; memory fallback when missing):
//   tabDomains     object   {"<tabId>": "<domain>"} so tab_closed can name the domain
//   prompts        object   {"<tabId>": pending prompt} (background/prompts.js), so a closed tab
//                           is recorded even after the background restarted
//   idleState      string   the last idle state recorded, so a state the browser repeats
//                           (Firefox does, to an event page it wakes) is not recorded twice

export const KEYS = Object.freeze({
  clientId: 'clientId',
  token: 'token',
  daemonAddr: 'daemonAddr',
  pairing: 'pairing',
  queue: 'queue',
  droppedEvents: 'droppedEvents',
  status: 'status',
  lastError: 'lastError',
  daemonState: 'daemonState',
  grants: 'grants',
  habitLog: 'habitLog',
  access: 'access',
  nativePairingOff: 'nativePairingOff',
});

export const SESSION_KEYS = Object.freeze({
  tabDomains: 'tabDomains',
  prompts: 'prompts',
  idleState: 'idleState',
});

export const DEFAULT_DAEMON_ADDR = '127.0.0.1:17717';
