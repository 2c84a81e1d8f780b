// The prompt page's first frame. A classic script in <head>: it runs before
// the body is parsed, so nothing can be painted before it, and it is the
// only script the first frame waits for (the page's modules are deferred).
// From the address alone (shared/prompt-url.js) it writes the feed's name,
// and for a "done?" prompt its heading, into the page as the parser creates
// the elements: a MutationObserver's callback runs at the end of each parser
// task, before the browser may render. So the first frame already says
// "Habit or need?" and "Reddit", and prompt.js, when it arrives, finds the
// same text there (no flash of "a feed", no layout jump).
//
// It also starts the page's modules and the breathing circle's animation,
// once the first frame is on screen: while a page loads, the browser runs
// loading tasks (module fetches, their evaluation) ahead of rendering, so
// modules in the HTML would come before the paint. A hidden tab has no
// frame to wait for and starts them at once.
//
// Exposes globalThis.mindfulPromptFirstFrame = {parse, MODULES} for the node tests.
(function (root) {
  'use strict';
  const MAX_NAME_LENGTH = 64;

  /**
   * What the first frame needs from the address: the feed's name (the `n`
   * parameter before the first "&u=": after it a redirect puts the raw URL,
   * which may hold an "&n=" of its own) and whether it is a "done?" prompt.
   * @returns {{name: string | null, done: boolean}}
   */
  function parse(href) {
    const s = String(href == null ? '' : href);
    const q = s.indexOf('?');
    if (q < 0) return { name: null, done: false };
    let head = s.slice(q + 1);
    let rest = '';
    const u = head.indexOf('&u=');
    if (u >= 0) {
      rest = head.slice(u + 3);
      head = head.slice(0, u);
    }
    // A raw URL (a redirect) is never a "done?" prompt; an encoded one has no raw "&".
    const done = !/^https?:/i.test(rest) && /&mode=done(&|#|$)/.test(rest);
    let name = null;
    for (const part of head.split('&')) {
      if (part.slice(0, 2) !== 'n=') continue;
      try {
        name = decodeURIComponent(part.slice(2)).trim();
      } catch (_) {
        name = null;
      }
      break;
    }
    if (name !== null) name = Array.from(name).slice(0, MAX_NAME_LENGTH).join('') || null;
    return { name, done };
  }

  /** prompt.js and, preloaded so that they load in parallel, every module it imports. */
  const ENTRY = 'prompt.js';
  const MODULES = Object.freeze(['machine.js', 'params.js', '../../shared/feed-id.js', '../../shared/platform.js']);

  root.mindfulPromptFirstFrame = Object.freeze({ parse, ENTRY, MODULES });
  if (typeof document === 'undefined' || typeof location === 'undefined') return;

  let started = false;
  function startModules() {
    // The breathing circle's animation starts with the modules (see prompt.html).
    document.documentElement.classList.add('breathing');
    if (started) return;
    // An inserted module script runs as soon as it has loaded, so not
    // before the page it works on is all there.
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', startModules, { once: true });
      return;
    }
    started = true;
    for (const href of MODULES) {
      const link = document.createElement('link');
      link.rel = 'modulepreload';
      link.href = href;
      document.head.append(link);
    }
    const script = document.createElement('script');
    script.type = 'module';
    script.src = ENTRY;
    document.head.append(script);
  }
  if (document.visibilityState === 'hidden') {
    startModules();
  } else {
    // Once the first frame is on screen: a paint timing entry is reported
    // after the frame was presented, so the module fetches, their
    // evaluation and the port to the background no longer compete with
    // the first frame's raster and draw (a trace showed them starting
    // between the frame's commit and its presentation). Where the observer
    // is missing, after the first animation frame.
    try {
      const po = new PerformanceObserver((list) => {
        if (list.getEntries().length === 0) return;
        po.disconnect();
        startModules();
      });
      po.observe({ type: 'paint', buffered: true });
    } catch (_) {
      requestAnimationFrame(() => setTimeout(startModules, 0));
    }
    // Should no frame come (a frame the browser does not render), not forever.
    setTimeout(startModules, 1000);
  }

  const { name, done } = parse(location.href);
  if (name === null && !done) return;
  if (name !== null) document.title = done ? 'Done with ' + name + '? · mindful' : name + ': habit or need? · mindful';

  function set(id, text) {
    const el = document.getElementById(id);
    if (el && el.textContent !== text) el.textContent = text;
  }
  function fill() {
    if (name !== null) {
      set('feed-name', name);
      set('done-feed-name', name);
      set('open', 'Open ' + name);
    }
    if (done) {
      set('title', 'Done?');
      const main = document.getElementById('prompt');
      if (main && main.dataset.phase !== 'done') main.dataset.phase = 'done';
    }
  }
  const observer = new MutationObserver(fill);
  observer.observe(document, { childList: true, subtree: true });
  document.addEventListener('DOMContentLoaded', () => {
    observer.disconnect();
    fill();
  }, { once: true });
})(globalThis);
