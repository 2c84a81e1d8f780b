// Runs in the page's own JavaScript world (content_scripts world "MAIN") at
// document_start, before the page's scripts. It wraps history.pushState and
// history.replaceState so that every in-page route change dispatches a
// synchronous DOM event, `mindful:locationchange`, on window. The isolated
// content script (overlay.js) listens to it and decides at once, in the same
// task, whether to cover the page. The event carries nothing: the listener
// reads location.href itself, so a page that fires the event by hand only
// causes a check. No extension API is used or reachable here.
(function () {
  'use strict';
  const EVENT = 'mindful:locationchange';
  const proto = History.prototype;
  for (const name of ['pushState', 'replaceState']) {
    const original = proto[name];
    if (typeof original !== 'function') continue;
    const wrapped = {
      [name](...args) {
        const result = original.apply(this, args);
        try {
          window.dispatchEvent(new CustomEvent(EVENT));
        } catch (_) {
          // never break the page's navigation
        }
        return result;
      },
    }[name];
    Object.defineProperty(proto, name, { value: wrapped, writable: true, configurable: true, enumerable: false });
  }
})();
