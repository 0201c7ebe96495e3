// ChatLoop's service worker, served at /sw.js so that its scope is the whole site. It shows the
// Web Push notifications the server sends while no ChatLoop page of the person is open
// (src/push/), one per room (a newer one replaces the room's last), and a click on one brings
// ChatLoop to the front at that room. It caches nothing: pages come from the server, always.

// A new version takes over at once, the pages already open included, so that a click is
// always handled by the current one.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  const push = readPush(event.data);
  // Browsers require a push to show a notification (userVisibleOnly), even one we cannot read.
  event.waitUntil(
    self.registration.showNotification(push.title, {
      body: push.body,
      tag: push.roomId ? `room:${push.roomId}` : "chatloop",
      renotify: true,
      icon: "/public/icon-192.png",
      data: { url: push.url },
    }),
  );
});

function readPush(data) {
  try {
    const push = data.json();
    if (typeof push.title === "string" && typeof push.body === "string") return { ...push, url: sameSite(push.url) };
  } catch {}
  return { title: "ChatLoop", body: "New messages", url: sameSite("/") };
}

/** Only a path of this site: a notification never leads elsewhere. */
function sameSite(url) {
  const target = new URL(typeof url === "string" ? url : "/", self.location.origin);
  return target.origin === self.location.origin ? target.href : new URL("/", self.location.origin).href;
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = sameSite(event.notification.data && event.notification.data.url);
  event.waitUntil(showPage(url));
});

/** Focuses a ChatLoop window that is open, at the page, or opens one there. */
async function showPage(url) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => client.focused) || windows[0];
  if (!open) return self.clients.openWindow(url);
  const focused = await open.focus();
  // navigate() works only on a page this worker controls; any other is left where it is, focused.
  if (open.url !== url) await focused.navigate(url).catch(() => undefined);
}
