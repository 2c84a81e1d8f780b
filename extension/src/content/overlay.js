// The isolated-world content script on feed hosts (document_idle, top frame
// only: a full load of a feed never gets here, a redirect rule sent it to the
// prompt page, so there is nothing to do before the page is there; it asks
// the background for its state only once the page has painted). It keeps the background's catalog, grants and pause in memory and,
// when the page moves to a feed without a full page load (history.pushState
// or replaceState, seen through hook.js's synchronous event; popstate;
// hashchange), covers the page at once, in the same task, with the prompt:
//
//   <div id="mindful-overlay" data-feed="…" data-shown-ms="…">   on <html>
//     #shadow-root (closed)
//       <iframe src="…/prompt.html?f=…&u=…&mode=overlay">
//
// The prompt page in the iframe talks to the background itself; this script
// only reports "overlay shown" and obeys the background's overlay_close and
// show_done. It never reads storage or the token.
(function () {
  'use strict';
  const api = globalThis.mindfulApi;
  const core = globalThis.mindfulCore;
  if (!api || !core || globalThis.mindfulOverlayStarted) return;
  globalThis.mindfulOverlayStarted = true;

  const PROMPT_URL = api.runtime.getURL('src/pages/prompt/prompt.html');
  const HOST_STYLE = {
    all: 'initial', position: 'fixed', inset: '0', top: '0', left: '0', width: '100vw', height: '100vh',
    'z-index': '2147483647', display: 'block', margin: '0', padding: '0', border: '0', overflow: 'hidden',
    'pointer-events': 'auto', visibility: 'visible', opacity: '1', transform: 'none', 'color-scheme': 'light dark',
  };
  const SHADOW_CSS =
    '.bg{position:absolute;inset:0;background:#fbfaf7}' +
    '@media (prefers-color-scheme: dark){.bg{background:#1d1d1b}}' +
    'iframe{position:absolute;inset:0;width:100%;height:100%;border:0;margin:0;padding:0;display:block;background:transparent;color-scheme:light dark}';

  let compiled = [];
  let grants = [];
  let pausedUntil = null;
  let haveState = false;
  /** @type {{el: HTMLElement, frame: HTMLIFrameElement, feedId: string, key: string, mode: string} | null} */
  let overlay = null;
  let lastHref = location.href;

  function applyState(s) {
    if (!s || typeof s !== 'object') return;
    compiled = core.compile(s.catalog);
    grants = Array.isArray(s.grants) ? s.grants : [];
    pausedUntil = typeof s.pausedUntil === 'number' ? s.pausedUntil : null;
    haveState = true;
  }

  // ---------------------------------------------------------------- overlay

  function onPlay(e) {
    const t = e.target;
    if (overlay && t && typeof t.pause === 'function') t.pause();
  }

  function onKey(e) {
    if (!overlay) return;
    // Keys meant for the page (j/k, space, shortcuts) go nowhere while it is covered.
    e.stopImmediatePropagation();
    e.preventDefault();
    overlay.frame.focus();
  }

  const keeper = new MutationObserver(() => {
    // A page that rebuilds <html>'s children must not drop the prompt.
    if (overlay && !overlay.el.isConnected && document.documentElement) document.documentElement.append(overlay.el);
  });

  function pauseMedia() {
    for (const m of document.querySelectorAll('video, audio')) {
      try {
        m.pause();
      } catch (_) {
        // ignore
      }
    }
  }

  function attach(m, mode, promptId) {
    const root = document.documentElement;
    if (!root) return;
    const el = document.createElement('div');
    el.id = 'mindful-overlay';
    el.dataset.feed = m.feedId;
    for (const [k, v] of Object.entries(HOST_STYLE)) el.style.setProperty(k, v, 'important');
    const shadow = el.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = SHADOW_CSS;
    const bg = document.createElement('div');
    bg.className = 'bg';
    const frame = document.createElement('iframe');
    frame.title = 'mindful: habit or need?';
    frame.src = core.frameUrl(PROMPT_URL, { feedId: m.feedId, name: m.name, url: location.href, mode, promptId });
    shadow.append(style, bg, frame);
    root.append(el);
    el.dataset.shownMs = String(performance.now());
    overlay = { el, frame, feedId: m.feedId, key: m.key, mode };
    pauseMedia();
    document.addEventListener('play', onPlay, true);
    window.addEventListener('keydown', onKey, true);
    keeper.observe(root, { childList: true });
    try {
      frame.focus();
    } catch (_) {
      // ignore
    }
    if (mode === 'prompt') {
      api.runtime.sendMessage({ type: 'overlay_shown', feedId: m.feedId, url: location.href }).catch(() => {});
    }
  }

  function detach() {
    if (!overlay) return;
    const { el } = overlay;
    overlay = null;
    keeper.disconnect();
    document.removeEventListener('play', onPlay, true);
    window.removeEventListener('keydown', onKey, true);
    el.remove();
  }

  // ----------------------------------------------------------------- checks

  function check() {
    if (!haveState) return;
    const d = core.decide({
      href: location.href,
      compiled,
      grants,
      pausedUntil,
      now: Date.now(),
      overlay: overlay && { feedId: overlay.feedId, key: overlay.key, mode: overlay.mode },
    });
    if (d.action === 'remove' || d.action === 'replace') detach();
    if (d.action === 'show' || d.action === 'replace') attach(d.match, 'prompt');
  }

  function onRoute() {
    const href = location.href;
    if (href === lastHref) return;
    lastHref = href;
    check();
  }

  window.addEventListener('mindful:locationchange', onRoute, true);
  window.addEventListener('popstate', onRoute, true);
  window.addEventListener('hashchange', onRoute, true);
  if (window.navigation && typeof window.navigation.addEventListener === 'function') {
    window.navigation.addEventListener('currententrychange', onRoute);
  }

  function requestState() {
    return api.runtime.sendMessage({ type: 'content_state' }).then(
      (s) => {
        applyState(s);
        lastHref = location.href;
        check();
      },
      () => {},
    );
  }

  // A page restored from the back/forward cache runs no content script again.
  window.addEventListener('pageshow', (e) => {
    if (e.persisted) requestState();
  });
  // Injected at document_idle the page is usually past DOMContentLoaded;
  // if not, look once more when it is (route changes before then were seen
  // by no one: requestState's check covers them).
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', () => {
      lastHref = location.href;
      check();
    });
  }

  // ------------------------------------------------ messages from the background

  // Not navigation.canGoBack: it sees only same-origin entries, and the page
  // before may be another site.
  function canGoBack() {
    return history.length > 1;
  }

  api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
    if (!msg || typeof msg !== 'object' || sender?.id !== api.runtime.id || sender.tab) return false;
    switch (msg.type) {
      case 'mindful_state':
        applyState(msg.state);
        sendResponse({ ok: true });
        return false;
      case 'overlay_close': {
        detach();
        let wentBack = false;
        if (msg.action === 'back' && canGoBack()) {
          wentBack = true;
          history.back();
        }
        sendResponse({ ok: true, wentBack });
        return false;
      }
      case 'show_done': {
        if (typeof msg.feedId !== 'string' || typeof msg.promptId !== 'string') return false;
        const m = core.match(compiled, location.href);
        const feed = compiled.find((f) => f.id === msg.feedId);
        detach();
        attach({ feedId: msg.feedId, name: feed ? feed.name : undefined, key: m ? m.key : msg.feedId + ' ?' }, 'done', msg.promptId);
        sendResponse({ ok: true });
        return false;
      }
      default:
        return false;
    }
  });

  // The state is asked for once the page has painted: injected at
  // document_idle, this script often runs before the page's first paint,
  // and the round trip to the background (and compiling the catalog) would
  // come before it. A route change before the state is here is seen by
  // requestState's check. A hidden tab paints nothing, so it asks at once.
  function afterFirstPaint(fn) {
    let done = false;
    const go = () => {
      if (done) return;
      done = true;
      fn();
    };
    if (document.visibilityState === 'hidden') return go();
    try {
      const po = new PerformanceObserver((list) => {
        if (list.getEntries().length === 0) return;
        po.disconnect();
        go();
      });
      po.observe({ type: 'paint', buffered: true });
    } catch (_) {
      requestAnimationFrame(() => setTimeout(go, 0));
    }
    setTimeout(go, 1000); // a page that never paints
  }
  afterFirstPaint(requestState);
})();
