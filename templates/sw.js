// LAPOR's service worker (served as /sw.js by complaints.views.service_worker; scope "/").
// It keeps the report form and its static files so that the form opens with no connection;
// the typed text is kept by static/js/draft.js in the page (localStorage), which also sends
// the report when the connection returns. Posts are never touched here: a report is filed
// only by the page's own submit, once.
const CONFIG = {{ config|safe }};
const CACHE = "lapor-offline-" + CONFIG.version;

// Static files only at install: a background request for the form would start a session of
// its own, racing (and clobbering) a sign-in made meanwhile on the page.
self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(CONFIG.assets))
      .then(() => self.skipWaiting())
  );
});

// The form page, once open (so its session exists), asks for itself to be kept.
self.addEventListener("message", (event) => {
  if (!event.data || event.data.keep !== CONFIG.form) return;
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.match(CONFIG.form).then((kept) => kept || fetch(CONFIG.form, { credentials: "same-origin" })
        .then((response) => { if (response.ok) return cache.put(CONFIG.form, response); })
        .catch(() => {}))
    )
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("lapor-offline-") && k !== CACHE).map((k) => caches.delete(k))
      ))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === CONFIG.form && !url.search) {
    // The form: the network first (a fresh page and token), the kept copy when offline.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(CONFIG.form, copy));
          }
          return response;
        })
        .catch(() => caches.match(CONFIG.form).then((kept) => kept || Response.error()))
    );
    return;
  }
  if (url.pathname.startsWith(CONFIG.static)) {
    // Static files have content-hashed names in production: the kept copy first.
    event.respondWith(
      caches.match(request).then((kept) => kept || fetch(request))
    );
  }
});
