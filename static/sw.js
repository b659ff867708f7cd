/* The service worker: pages a learner saved open without a network; everything else is asked
   of the network first, so nothing shown online is ever stale. Served from /sw.js (scope: the
   whole site) under the site's own CSP; no third-party code. */
"use strict";

var PAGES = "lms-pages";   // pages of saved courses (and the quiz started in them)
var FILES = "lms-files";   // styles, scripts, icons and course images: immutable per address

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(PAGES).then(function (cache) {
    return cache.add("/offline");
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function isFile(url) {
  return url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/files/") !== -1 ||
    url.pathname === "/manifest.webmanifest";
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin ||
      url.pathname === "/sw.js") {
    return;
  }
  if (isFile(url)) {
    // Cache first: a file's address changes with its content.
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(FILES).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
    return;
  }
  if (request.mode !== "navigate") {
    return;
  }
  // Pages: the network first; a saved page is refreshed whenever it is read online.
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) {
        return cache.match(request).then(function (saved) {
          if (saved) { return cache.put(request, copy); }
        });
      });
    }
    return response;
  }, function () {
    return caches.match(request, {cacheName: PAGES}).then(function (saved) {
      return saved || caches.match("/offline", {cacheName: PAGES});
    });
  }));
});
