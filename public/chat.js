// The room page's live log, bridging Socket.IO to the server-rendered message fragments: new
// messages in seq order, changed ones replaced in place, your own sends pending until stored.
// The room's other parts build on it: public/timeline.js (days and groups), public/actions.js
// (what you do to a message), public/presence.js (who is here and typing) and public/reading.js
// (what you have read), through `window.chatLoop` and the `chatloop:item` event.
// CSP-safe by construction: no inline handlers, no eval; the user's own pending text is only
// ever set with textContent, and only HTML our server rendered (and escaped) is inserted.
(() => {
  const room = document.getElementById("room");
  if (room && room.dataset.live === "true" && window.chatLoopSocket) window.chatLoop = startLiveRoom(room);

  function startLiveRoom(room) {
    const roomId = room.dataset.roomId;
    const username = room.dataset.username;
    const log = document.getElementById("message-log"); // scrolls
    const list = document.getElementById("messages"); // holds the messages
    const status = document.getElementById("connection-status");
    const composer = document.getElementById("composer");
    const textarea = document.getElementById("composer-text");
    /** Messages sent but not yet seen stored, by clientId ({ content, replyToId }): re-sent after a reconnect. */
    const pending = new Map();
    // Where the log stood when the server rendered the page; a (re)join asks for what came after.
    let lastSeq = Number(room.dataset.lastSeq) || 0;
    let lastRev = Number(room.dataset.lastRev) || 0;

    // Within this many pixels of the end the reader counts as "at the bottom" and is kept there.
    const STICKY_PX = 48;
    const atBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < STICKY_PX;
    const scrollToBottom = () => {
      log.scrollTop = log.scrollHeight;
    };

    const itemOf = (id) => document.getElementById(`message-${id}`);
    /**
     * Opened at a permalink, the log holds a stretch of older history with the way down to newer
     * pages below it: new messages are not shown after a gap; they come with those pages.
     */
    const detached = () => list.querySelector("li.newer-messages") !== null;
    const shownLastSeq = () => Number([...list.querySelectorAll("li.message[data-seq]")].at(-1)?.dataset.seq ?? 0);
    const pendingItem = (clientId) => list.querySelector(`li.pending[data-client-id="${CSS.escape(clientId)}"]`);

    /** Our server's fragment, user text already escaped, as an element. */
    function fromHtml(html) {
      const template = document.createElement("template");
      template.innerHTML = html;
      return template.content.firstElementChild;
    }

    /** Tells the room's other parts that an item is new, or replaces `previous`. */
    function announce(item, previous) {
      item.dispatchEvent(new CustomEvent("chatloop:item", { bubbles: true, detail: { previous } }));
    }

    /** Where a message with this seq goes: after the stored ones before it, above the pending ones. */
    function placeFor(seq) {
      const stored = list.querySelectorAll("li.message[data-seq]");
      for (let i = stored.length - 1; i >= 0; i--) {
        if (Number(stored[i].dataset.seq) < seq) return stored[i].nextElementSibling;
      }
      return stored[0] || list.querySelector("li.pending");
    }

    /** newMessage: a stored message, placed in seq order; one already shown is only updated. */
    function showNew(message) {
      lastSeq = Math.max(lastSeq, message.seq);
      if (itemOf(message.id)) return showChanged(message); // a replay overlapping what we had
      if (detached()) return; // below the pages not loaded yet: it comes with them
      lastRev = Math.max(lastRev, message.rev);
      const stick = atBottom();
      const own = message.clientId ? pendingItem(message.clientId) : null;
      if (own) {
        own.remove();
        pending.delete(message.clientId);
      }
      const item = fromHtml(message.html);
      list.insertBefore(item, placeFor(message.seq));
      announce(item);
      if (stick || own) scrollToBottom();
    }

    /** messageUpdated: the message's newer state replaces it in place; an older state, or a message not shown, changes nothing. */
    function showChanged(message) {
      lastRev = Math.max(lastRev, message.rev);
      const previous = itemOf(message.id);
      if (!previous || Number(previous.dataset.rev) >= message.rev) return;
      const stick = atBottom();
      const focused = focusIn(previous);
      const item = fromHtml(message.html);
      previous.replaceWith(item);
      announce(item, previous);
      if (focused) refocus(item, focused);
      if (stick) scrollToBottom();
    }

    /** The control inside the item that has the focus, and how to find its twin in the new item. */
    function focusIn(item) {
      const element = document.activeElement;
      if (!element || element === item || !item.contains(element)) return null;
      if (element.closest(".edit-form")) return { element, selector: '[data-action="edit"]' };
      if (element.dataset.action) return { element, selector: `[data-action="${element.dataset.action}"]` };
      if (element.matches(".reaction, .react-picker button")) return { element, selector: `.reaction[value="${CSS.escape(element.value)}"]` };
      return { element, selector: ".react-picker summary" };
    }

    /** Keyboard users keep their place when the message they are on changes under them. */
    function refocus(item, { element, selector }) {
      if (element.isConnected) return element.focus(); // moved over into the new item (an open editor)
      const twin = item.querySelector(selector);
      if (twin && twin.getClientRects().length > 0) return twin.focus();
      item.tabIndex = -1;
      item.focus();
    }

    /**
     * Your message as you sent it, greyed until it is stored, grouped like the stored one that
     * will take its place (so that nothing moves then); "sending…" is said, and shown only if
     * sending fails.
     */
    function showPending(clientId, content) {
      const item = document.createElement("li");
      item.className = "message pending";
      item.dataset.clientId = clientId;
      const head = document.createElement("p");
      head.className = "flex items-baseline gap-2";
      const name = document.createElement("span");
      name.className = "message-author font-semibold";
      name.textContent = username;
      const state = document.createElement("span");
      state.className = "pending-state sr-only text-xs italic text-slate-700 dark:text-slate-300";
      state.textContent = "sending…";
      head.append(name, " ", state);
      const body = document.createElement("p");
      body.className = "message-text whitespace-pre-wrap wrap-anywhere text-slate-600 dark:text-slate-400";
      body.textContent = content;
      item.append(head, body);
      list.append(item);
      announce(item);
      scrollToBottom();
    }

    function send(clientId) {
      const { content, replyToId, attachmentIds } = pending.get(clientId);
      const extras = { ...(replyToId ? { replyToId } : {}), ...(attachmentIds.length > 0 ? { attachmentIds } : {}) };
      socket.emit("sendMessage", { roomId, content, clientId, ...extras }, (answer) => {
        if (!answer || !answer.code) return; // stored: newMessage replaces the pending item
        pending.delete(clientId);
        const state = pendingItem(clientId)?.querySelector(".pending-state");
        if (!state) return;
        state.textContent = `not sent: ${answer.message}`;
        state.classList.remove("sr-only");
      });
    }

    // Random, but not crypto.randomUUID: that needs a secure context, and plain http on a LAN is not one.
    function newClientId() {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    }

    /** Too far behind to replay: take the room's newest page over HTTP, with where the log stood, then join after it. */
    async function reloadHistory() {
      const response = await fetch(`/chat/rooms/${roomId}`, { headers: { "HX-Request": "true" } });
      if (!response.ok) return location.reload();
      const template = document.createElement("template");
      template.innerHTML = await response.text(); // our server's fragment
      const fresh = template.content.getElementById("room");
      const freshList = template.content.getElementById("messages");
      if (!fresh || !freshList) return location.reload();
      freshList.querySelector("#unread-divider")?.remove(); // the divider is the one the page opened with, never a new one
      for (const item of list.querySelectorAll("li:not(.pending)")) item.remove();
      list.prepend(...freshList.children);
      lastSeq = Number(fresh.dataset.lastSeq);
      lastRev = Number(fresh.dataset.lastRev);
      wasDetached = false;
      scrollToBottom(); // before htmx watches the "load older" button, which is at the top
      htmx.process(list);
      for (const item of list.querySelectorAll("li.message:not(.pending)")) announce(item);
      join();
    }

    function join() {
      if (room.dataset.removed === "true") return; // the owner removed us: nothing to follow
      socket.emit("joinRoom", { roomId, after: lastSeq, since: lastRev }, (answer) => {
        if (answer && answer.code === "too_far_behind") return void reloadHistory();
        if (answer && answer.code) return setStatus(`Cannot follow this room: ${answer.message}`);
        room.dataset.joined = "true";
        for (const clientId of pending.keys()) send(clientId); // the same clientId: stored once at most
      });
    }

    function setStatus(text) {
      status.textContent = text;
    }

    const socket = window.chatLoopSocket;
    socket.on("connect", () => {
      if (room.dataset.removed === "true") return;
      setStatus("");
      join();
    });
    socket.on("newMessage", showNew);
    socket.on("messageUpdated", showChanged);
    socket.on("disconnect", (reason) => {
      room.dataset.joined = "false";
      if (room.dataset.removed === "true") return;
      setStatus("Reconnecting…"); // public/socket.js reconnects
    });
    socket.on("connect_error", () => setStatus("Reconnecting…"));

    // The room was renamed, given a topic or archived (by its owner or an admin, anywhere):
    // the header follows; an archived room takes no more messages, so the composer goes.
    socket.on("roomUpdated", ({ room: changed }) => {
      if (changed.id !== roomId) return;
      document.getElementById("room-name").textContent = changed.name;
      const topic = document.getElementById("room-topic");
      topic.textContent = changed.topic || "";
      topic.hidden = !changed.topic;
      if (!changed.archivedAt) return;
      room.dataset.archived = "true";
      composer.hidden = true;
      textarea.disabled = true;
      document.getElementById("room-archived").hidden = false;
      document.getElementById("room-settings-link")?.remove();
    });

    // The last page of newer history went in: the log reaches the live end again. What was sent
    // meanwhile, after that page was read, is asked for as after any gap.
    let wasDetached = detached();
    log.addEventListener("htmx:afterSwap", () => {
      if (!wasDetached || detached()) return;
      wasDetached = false;
      lastSeq = shownLastSeq();
      if (socket.connected) join();
    });

    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      const content = textarea.value;
      // The files public/uploads.js has uploaded; a message waits until none is still going.
      const attachmentIds = (composer.dataset.attachmentIds || "").split(" ").filter(Boolean);
      if ((!content.trim() && attachmentIds.length === 0) || textarea.disabled || composer.dataset.uploading === "true") return;
      const clientId = newClientId();
      pending.set(clientId, { content, replyToId: composer.dataset.replyToId, attachmentIds });
      showPending(clientId, content || (attachmentIds.length === 1 ? "1 file" : `${attachmentIds.length} files`));
      textarea.value = "";
      textarea.focus();
      composer.dispatchEvent(new CustomEvent("chatloop:sent"));
      // Writing from a permalink's stretch of history: the log goes to the live end first, whose join sends it.
      if (detached()) reloadHistory();
      else if (socket.connected) send(clientId); // otherwise the reconnect sends it
    });

    textarea.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      composer.requestSubmit();
    });

    textarea.focus();
    return { socket, room, roomId, viewerId: room.dataset.viewerId, setStatus };
  }
})();
