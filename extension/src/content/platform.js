// The content scripts' twin of shared/platform.js getApi(): manifest content
// scripts are classic scripts and cannot import that module. The only
// browser check in the content scripts; manifest.test.mjs allows it here.
(function (root) {
  'use strict';
  root.mindfulApi = root.browser ?? root.chrome;
})(globalThis);
