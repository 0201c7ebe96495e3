// The sidebar of every signed-in page (views/sidebar.ts), kept live over the page's socket
// (public/socket.js): each conversation's unread and mention counts from `roomActivity` and from
// your read marker's moves (`roomRead`, from this tab or any other), their total in the page's
// title, a system notification for a message while the page is hidden, and the toggle that
// opens the sidebar on a narrow screen.
// It only sets counts, flags and text on what the server rendered; a conversation it does not
// list yet comes with the server's lists, asked for again.
(() => {
  const nav = document.getElementById("sidebar");
  if (!nav) return;
  const viewerId = nav.dataset.viewerId;
  const toggle = document.getElementById("sidebar-toggle");

  // --- Open and close on a narrow screen (on a wide one the toggle is not shown) -------------

  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.dataset.open = String(open);
  });

  // --- Counts and the title -------------------------------------------------------------------

  const linkOf = (roomId) => document.getElementById(`conversation-${roomId}`);

  function setBadge(badge, count) {
    badge.hidden = count === 0;
    badge.querySelector(".count").textContent = String(count);
  }

  function showCounts(link, unread, mentions) {
    link.dataset.unread = String(unread);
    link.dataset.mentions = String(mentions);
    setBadge(link.querySelector(".unread-badge"), unread);
    setBadge(link.querySelector(".mention-badge"), mentions);
  }

  let baseTitle = document.title.replace(/^\(\d+\) /, "");
  function showTotal() {
    let total = 0;
    for (const link of nav.querySelectorAll("a.conversation")) total += Number(link.dataset.unread);
    document.title = total ? `(${total}) ${baseTitle}` : baseTitle;
    setBadge(toggle.querySelector(".unread-badge"), total);
  }

  /**
   * A room's newest counts, unless the link already shows a later state of the room (the lists
   * were read after it). Read up to there already, in this tab or another, before the activity
   * came (it comes up to a second late): nothing is unread.
   */
  function showActivity(link, activity) {
    if (activity.lastSeq <= Number(link.dataset.lastSeq)) return;
    link.dataset.lastSeq = String(activity.lastSeq);
    const read = activity.lastSeq <= Number(link.dataset.lastReadSeq);
    showCounts(link, read ? 0 : activity.unreadCount, read ? 0 : activity.mentionCount);
  }

  /** The newest roomActivity of each room: shown again over lists that were read before it. */
  const activities = new Map();

  // One request for the lists at a time; whatever asks meanwhile gets one more after it.
  let fetching = false;
  let fetchAgain = false;
  function fetchLists() {
    if (fetching) return void (fetchAgain = true);
    fetching = true;
    htmx.ajax("GET", "/chat/sidebar", { target: "#conversations", swap: "outerHTML" }).finally(() => {
      fetching = false;
      for (const activity of activities.values()) {
        const link = linkOf(activity.roomId);
        if (link) showActivity(link, activity);
      }
      showTotal();
      if (fetchAgain) {
        fetchAgain = false;
        fetchLists();
      }
    });
  }

  const socket = window.chatLoopSocket;
  if (!socket) return;

  socket.on("roomActivity", (activity) => {
    activities.set(activity.roomId, activity);
    const link = linkOf(activity.roomId);
    if (!link) return fetchLists(); // a conversation new to this page: a direct message someone started, a room one was invited to
    showActivity(link, activity);
    showTotal();
  });

  // Your own read marker comes with what is left unread (marking unread raises it again).
  socket.on("roomRead", (read) => {
    if (read.userId !== viewerId) return; // the other person's read receipt, in a direct room
    const link = linkOf(read.roomId);
    if (!link) return;
    link.dataset.lastReadSeq = String(read.lastReadSeq);
    showCounts(link, read.unreadCount, read.mentionCount);
    showTotal();
  });

  // A room renamed or archived: the lists are read again (an archived room leaves them, a
  // renamed one moves to its place in the alphabet); the page's title follows its room's name.
  socket.on("roomUpdated", ({ room }) => {
    const link = linkOf(room.id);
    if (link && link.getAttribute("aria-current") === "page") baseTitle = `${room.name} · ChatLoop`;
    fetchLists();
  });

  // Activity while the socket was away is lost: after a reconnect the lists are read again.
  let connectedBefore = false;
  socket.on("connect", () => {
    if (connectedBefore) fetchLists();
    connectedBefore = true;
  });

  // --- System notifications ----------------------------------------------------------------

  // Only while the page is hidden: in sight, the sidebar and the room show the message already.
  // Permission is never asked for here; the header's button asks (public/notifications.js).
  // Tagged by room, so that a newer message replaces the room's notification, and several
  // hidden tabs of the same person show one.
  socket.on("notification", ({ roomId, roomName, kind, message }) => {
    if (document.visibilityState !== "hidden" || !("Notification" in window) || Notification.permission !== "granted") return;
    const title = kind === "direct" ? message.username : `${message.username} in ${roomName}`;
    const notification = new Notification(title, { body: message.content, tag: roomId });
    notification.addEventListener("click", () => {
      window.focus();
      notification.close();
      const roomPath = `/chat/rooms/${roomId}`;
      if (location.pathname !== roomPath) location.assign(roomPath);
    });
  });
})();
