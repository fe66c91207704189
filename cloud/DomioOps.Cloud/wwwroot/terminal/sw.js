// The terminal's service worker (scope /terminal/): the shell from its cache first, so the terminal opens without a
// network; the API and the live hub always from the network (the page keeps its own outbox). The cache's name holds
// the version the front-end build stamps from the shell's contents: a new build is a new cache, the old one goes.
importScripts('/dist/terminal-version.js');

const version = self.terminalVersion || 'dev';
const cacheName = `domio-terminal-${version}`;
const shell = [
  '/terminal/',
  '/terminal/terminal.css',
  '/terminal/manifest.webmanifest',
  '/terminal/icon.svg',
  '/terminal/icon-192.png',
  '/terminal/icon-512.png',
  '/terminal/icon-maskable-512.png',
  '/dist/terminal.js',
];
const words = ['/terminal/strings/en.json', '/terminal/strings/ru.json'];

self.addEventListener('install', event => {
  event.waitUntil((async () => {
    const cache = await caches.open(cacheName);
    await cache.addAll([...shell, ...words].map(url => new Request(url, { cache: 'reload', credentials: 'same-origin' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', event => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter(n => n.startsWith('domio-terminal-') && n !== cacheName).map(n => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', event => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  // The API and the hubs: network only.
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/hubs/')) return;
  if (request.mode === 'navigate' && (url.pathname === '/terminal/' || url.pathname === '/terminal' || url.pathname === '/terminal/index.html')) {
    event.respondWith(cacheFirst('/terminal/'));
    return;
  }
  if (shell.includes(url.pathname)) {
    event.respondWith(cacheFirst(url.pathname));
    return;
  }
  if (words.includes(url.pathname)) {
    event.respondWith(staleWhileRevalidate(event, url.pathname));
  }
});

async function cacheFirst(path) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(path);
  if (hit) return hit;
  const response = await fetch(path, { credentials: 'same-origin' });
  if (response.ok) await cache.put(path, response.clone());
  return response;
}

/** The words: from the cache at once, refreshed from the host for the next time (a new resource file needs no new build). */
async function staleWhileRevalidate(event, path) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(path);
  const fresh = fetch(path, { credentials: 'same-origin' }).then(async response => {
    if (response.ok) await cache.put(path, response.clone());
    return response;
  });
  if (hit) {
    event.waitUntil(fresh.catch(() => undefined));
    return hit;
  }
  return fresh;
}
