// Web Push on every signed-in page: the header's "Turn on notifications" button, and the
// subscription kept with the server. Pushes reach the person while no ChatLoop page of theirs
// is open; they need the browser's permission, asked for only on a click (never on load), the
// service worker at /sw.js, and the subscription posted to the server.
// Once permission is granted the page keeps it so, silently: a browser without a subscription
// subscribes, and one that was last subscribed for someone else (another account signed in
// here since) moves its subscription to whoever is signed in now. Signing out forgets it.
(() => {
  const button = document.getElementById("enable-notifications");
  if (!button || !("Notification" in window) || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
  const username = button.dataset.username;
  /** Which endpoint this browser last posted, for whom: `username endpoint`. */
  const POSTED = "chatloop.push";

  if (Notification.permission === "default") button.hidden = false;
  if (Notification.permission === "granted") keepSubscribed().catch(() => {});

  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      if ((await Notification.requestPermission()) === "granted") await keepSubscribed();
      button.hidden = Notification.permission !== "default";
    } catch {
      button.textContent = "Notifications are not available";
      return;
    }
    button.disabled = false;
  });

  async function keepSubscribed() {
    const registration = await navigator.serviceWorker.register("/sw.js");
    await navigator.serviceWorker.ready; // subscribing needs an active worker
    const key = await serverKey();
    let subscription = await registration.pushManager.getSubscription();
    // Made with another key (the server's keys were replaced): the push service would refuse our pushes.
    if (subscription && !sameBytes(subscription.options.applicationServerKey, key)) {
      await subscription.unsubscribe();
      subscription = null;
    }
    subscription = subscription || (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }));
    const posted = `${username} ${subscription.endpoint}`;
    if (localStorage.getItem(POSTED) === posted) return;
    const response = await fetch("/push/subscriptions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(subscription) });
    if (!response.ok) throw new Error(`subscribing answered ${response.status}`);
    localStorage.setItem(POSTED, posted);
  }

  async function serverKey() {
    const response = await fetch("/push/key");
    if (!response.ok) throw new Error(`the push key answered ${response.status}`);
    const { publicKey } = await response.json();
    return Uint8Array.from(atob(publicKey.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
  }

  function sameBytes(buffer, bytes) {
    const other = buffer ? new Uint8Array(buffer) : new Uint8Array();
    return other.length === bytes.length && other.every((byte, i) => byte === bytes[i]);
  }

  // A browser left signed out must not show the last person's messages: the server forgets
  // its subscription before the session ends (after it, the request would not be theirs).
  const signOut = document.querySelector('form[action="/signout"]');
  if (signOut) signOut.addEventListener("submit", forgetOnSignOut);

  async function forgetOnSignOut(event) {
    const posted = localStorage.getItem(POSTED);
    if (!posted) return;
    event.preventDefault();
    localStorage.removeItem(POSTED);
    const endpoint = posted.slice(posted.indexOf(" ") + 1);
    const deadline = new Promise((resolve) => setTimeout(resolve, 2000));
    const forgotten = fetch("/push/subscriptions", { method: "DELETE", headers: { "content-type": "application/json" }, body: JSON.stringify({ endpoint }) });
    await Promise.race([forgotten.catch(() => {}), deadline]);
    signOut.submit();
  }
})();
