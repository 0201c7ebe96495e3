// What the reader has read, over the page's socket (public/chat.js): the room's read marker
// follows what has been on screen while the page is visible and focused, so that the room's
// unread count clears everywhere; "Mark unread" on a message moves it back (and the "New
// messages" divider with it); a move made in another tab or device is followed; and in a
// direct room, "Seen" goes under your last message that the other person has read.
(() => {
  const live = window.chatLoop;
  if (!live) return;
  const { socket, room, roomId, viewerId, setStatus } = live;
  const list = document.getElementById("messages");
  const log = document.getElementById("message-log");

  /** Reading is told to the server at most this often: a scroll through the log is one markRead, not dozens. */
  const REPORT_EVERY_MS = 500;

  /** The marker as the server last told this page. */
  let readSeq = Number(room.dataset.lastReadSeq) || 0;
  /** The highest seq that has been on screen while the reader was looking. */
  let seenSeq = readSeq;
  /** The seq this page last asked for: the roomRead that echoes it is this page's own. */
  let askedSeq = null;
  /** After "Mark unread" the reader has said "not yet": this page reads nothing more until they write. */
  let holding = false;
  let reportTimer = null;

  const seqOf = (item) => Number(item.dataset.seq);
  const attending = () => document.visibilityState === "visible" && document.hasFocus();

  function setMarker(seq) {
    readSeq = seq;
    room.dataset.lastReadSeq = String(seq);
  }

  // --- Reading by looking -------------------------------------------------------------------

  const onScreen = new Set();
  /** Shown enough to have been read: half of it, or half the log for a message taller than that. */
  const shown = (entry) => entry.isIntersecting && entry.intersectionRect.height >= Math.min(entry.boundingClientRect.height, entry.rootBounds.height) / 2;
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) shown(entry) ? onScreen.add(entry.target) : onScreen.delete(entry.target);
      notice();
    },
    { root: log, threshold: Array.from({ length: 21 }, (_, i) => i / 20) }, // fine enough for a message many times the log's height
  );
  const observe = (item) => item.matches("li.message[data-seq]") && observer.observe(item);

  /**
   * The reader is looking: what is on screen now has been read. The marker is a seq, and moving
   * it reads everything before it too: a page opened at a permalink, whose history starts after
   * the first unread message, reads nothing until the reader has scrolled up to that one.
   */
  function notice() {
    if (holding || !attending()) return;
    const first = list.querySelector("li.message[data-seq]");
    if (room.dataset.linkedSeq && (!first || seqOf(first) > readSeq + 1)) return;
    const highest = Math.max(seenSeq, ...[...onScreen].map(seqOf));
    if (highest <= seenSeq) return;
    seenSeq = highest;
    reportTimer ??= setTimeout(report, REPORT_EVERY_MS);
  }

  /**
   * Moves the marker up to what has been seen; never down (only "Mark unread" does that): with
   * `onlyForward`, a report that arrives after another tab or device read further changes
   * nothing there. Not while disconnected; what is on screen counts again when the reader next
   * scrolls or comes back.
   */
  function report() {
    reportTimer = null;
    if (!socket.connected) seenSeq = readSeq;
    if (seenSeq <= readSeq) return;
    askedSeq = seenSeq;
    socket.emit("markRead", { roomId, seq: seenSeq, onlyForward: true }, (answer) => {
      if (answer && !answer.code) setMarker(answer.lastReadSeq);
    });
  }

  for (const item of list.querySelectorAll("li.message[data-seq]")) observe(item);
  document.addEventListener("htmx:load", (event) => observe(event.target)); // older history
  window.addEventListener("focus", notice);
  document.addEventListener("visibilitychange", notice);
  // Writing in the room is reading it (the server moves the marker up to your message).
  document.getElementById("composer").addEventListener("chatloop:sent", () => {
    holding = false;
    notice();
  });

  // --- Mark unread ------------------------------------------------------------------------------

  list.addEventListener("click", (event) => {
    const item = event.target.closest('[data-action="unread"]')?.closest("li.message");
    if (!item) return;
    event.preventDefault();
    holding = true;
    clearTimeout(reportTimer);
    reportTimer = null;
    const seq = seqOf(item) - 1;
    seenSeq = askedSeq = seq;
    socket.emit("markRead", { roomId, seq }, (answer) => {
      if (answer && answer.code) return setStatus(`Could not mark it unread: ${answer.message}`);
      setMarker(answer.lastReadSeq);
      moveDivider(seq);
    });
  });

  /** The "New messages" divider goes before the first unread message after `seq`, as the server would put it (views/room.ts). */
  function moveDivider(seq) {
    let divider = document.getElementById("unread-divider");
    const left = divider && nextMessage(divider);
    const unread = (item) => seqOf(item) > seq && item.dataset.senderId !== viewerId && item.dataset.deleted !== "true";
    const first = [...list.querySelectorAll("li.message[data-seq]")].find(unread);
    if (!first) divider?.remove();
    else {
      divider ??= newDivider();
      const separator = first.previousElementSibling;
      (separator && separator.classList.contains("day-separator") ? separator : first).before(divider);
    }
    for (const item of [left, first]) item?.dispatchEvent(new CustomEvent("chatloop:regroup", { bubbles: true }));
  }

  function nextMessage(element) {
    let next = element.nextElementSibling;
    while (next && !next.classList.contains("message")) next = next.nextElementSibling;
    return next;
  }

  function newDivider() {
    const divider = document.createElement("li");
    divider.id = "unread-divider";
    divider.className = "unread-divider";
    const text = document.createElement("span");
    text.textContent = "New messages";
    divider.append(text);
    return divider;
  }

  // --- Read elsewhere ---------------------------------------------------------------------------

  socket.on("roomRead", (read) => {
    if (read.roomId !== roomId) return;
    if (read.userId !== viewerId) return void showSeen(read.lastReadSeq);
    if (read.lastReadSeq === askedSeq) return; // this page's own
    // Another tab or device moved it: this page follows, and reads again only what it sees from now on.
    setMarker(read.lastReadSeq);
    seenSeq = read.lastReadSeq;
    askedSeq = null;
  });

  // --- Seen, in a direct room ---------------------------------------------------------------

  /** "Seen" under your last message that the other person has read up to; none if they have read none of yours. */
  function showSeen(otherReadSeq) {
    if (room.dataset.kind !== "direct") return;
    let receipt = list.querySelector(".seen-receipt");
    const own = [...list.querySelectorAll("li.message[data-seq]")].findLast((item) => item.dataset.senderId === viewerId && seqOf(item) <= otherReadSeq);
    if (!own) return void receipt?.remove();
    if (!receipt) {
      receipt = document.createElement("p");
      receipt.className = "seen-receipt";
      receipt.textContent = "Seen";
    }
    own.append(receipt);
  }

  list.addEventListener("chatloop:item", (event) => {
    const item = event.target;
    const previous = event.detail.previous;
    if (previous) {
      // A message that changed keeps its receipt, and is watched in place of the one it replaced.
      observer.unobserve(previous);
      onScreen.delete(previous);
      const receipt = previous.querySelector(".seen-receipt");
      if (receipt) item.append(receipt);
    } else if (item.dataset.senderId === viewerId && seqOf(item) > readSeq) {
      // Your own new message, written here or anywhere else, has moved the marker up to it.
      setMarker(seqOf(item));
      seenSeq = Math.max(seenSeq, readSeq);
    }
    observe(item);
  });
})();
