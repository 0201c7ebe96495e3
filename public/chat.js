// The page's own script: times in the reader's local time everywhere, and on a room page the
// live chat, bridging Socket.IO to the server-rendered message fragments.
// CSP-safe by construction: no inline handlers, no eval; the user's own pending text is only
// ever set with textContent, and only HTML our server rendered (and escaped) is inserted.
(() => {
  "use strict";

  const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });

  function localizeTimes(root) {
    for (const time of root.querySelectorAll("time[datetime]")) {
      const date = new Date(time.dateTime);
      if (Number.isNaN(date.getTime())) continue;
      time.textContent = timeOfDay.format(date);
      time.title = fullDate.format(date);
    }
  }

  localizeTimes(document);
  document.addEventListener("htmx:load", (event) => localizeTimes(event.target));

  const messageLog = document.getElementById("message-log");
  if (messageLog) keepPlaceAboveOlderMessages(messageLog);

  const room = document.getElementById("room");
  if (room && room.dataset.live === "true" && typeof io === "function") startLiveRoom(room);

  /**
   * Older messages go in above what the reader is looking at: the message that was at the top
   * stays where it was on screen. (The browser does not do this at scrollTop 0.) That also moves
   * the next "Load older messages" button out of view, so one scroll to the top loads one page,
   * not every page back to the first message.
   */
  function keepPlaceAboveOlderMessages(log) {
    let kept = null; // { item, top }: the message below the button, and where it was
    log.addEventListener("htmx:beforeSwap", (event) => {
      const older = event.detail.target;
      if (!event.detail.shouldSwap || !older.matches("li.older-messages") || !older.nextElementSibling) return;
      kept = { item: older.nextElementSibling, top: older.nextElementSibling.getBoundingClientRect().top };
    });
    // Before the browser paints, and before htmx watches the new button (it does when the swap settles).
    log.addEventListener("htmx:afterSwap", () => {
      if (!kept) return;
      log.scrollTop += kept.item.getBoundingClientRect().top - kept.top;
      kept = null;
    });
  }

  function startLiveRoom(room) {
    const roomId = room.dataset.roomId;
    const username = room.dataset.username;
    const log = document.getElementById("message-log"); // scrolls
    const list = document.getElementById("messages"); // holds the messages
    const status = document.getElementById("connection-status");
    const composer = document.getElementById("composer");
    const textarea = document.getElementById("composer-text");
    /** Messages sent but not yet seen stored, by clientId: re-sent after a reconnect. */
    const pending = new Map();
    let lastSeq = highestSeq();

    // Within this many pixels of the end the reader counts as "at the bottom" and is kept there.
    const STICKY_PX = 48;
    const atBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < STICKY_PX;
    const scrollToBottom = () => {
      log.scrollTop = log.scrollHeight;
    };

    function highestSeq() {
      let highest = 0;
      for (const item of list.querySelectorAll("li[data-seq]")) highest = Math.max(highest, Number(item.dataset.seq));
      return highest;
    }

    const pendingItem = (clientId) => list.querySelector(`li.pending[data-client-id="${CSS.escape(clientId)}"]`);

    /** A stored message from the server, in seq order; pending ones stay below the stored ones. */
    function showStored(message) {
      if (message.seq <= lastSeq) return; // already shown: a replay overlapping what we had
      lastSeq = message.seq;
      const stick = atBottom();
      const own = message.clientId ? pendingItem(message.clientId) : null;
      if (own) {
        own.remove();
        pending.delete(message.clientId);
      }
      const template = document.createElement("template");
      template.innerHTML = message.html; // our server's fragment, user text already escaped
      const item = template.content.firstElementChild;
      list.insertBefore(item, list.querySelector("li.pending"));
      localizeTimes(item);
      if (stick || own) scrollToBottom();
    }

    function showPending(clientId, content) {
      const item = document.createElement("li");
      item.className = "message pending px-3 py-1.5";
      item.dataset.clientId = clientId;
      const head = document.createElement("p");
      head.className = "flex items-baseline gap-2";
      const name = document.createElement("span");
      name.className = "font-semibold";
      name.textContent = username;
      const state = document.createElement("span");
      state.className = "pending-state text-xs italic text-slate-700 dark:text-slate-300";
      state.textContent = "sending…";
      head.append(name, " ", state);
      const body = document.createElement("p");
      body.className = "whitespace-pre-wrap wrap-anywhere";
      body.textContent = content;
      item.append(head, body);
      list.append(item);
      scrollToBottom();
    }

    function send(clientId) {
      socket.emit("sendMessage", { roomId, content: pending.get(clientId), clientId }, (answer) => {
        if (!answer || !answer.code) return; // stored: newMessage replaces the pending item
        pending.delete(clientId);
        const item = pendingItem(clientId);
        if (item) item.querySelector(".pending-state").textContent = `not sent: ${answer.message}`;
      });
    }

    // Random, but not crypto.randomUUID: that needs a secure context, and plain http on a LAN is not one.
    function newClientId() {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    }

    /** Too far behind to replay: take the newest page over HTTP, then join after it. */
    async function reloadHistory() {
      const response = await fetch(`/chat/rooms/${roomId}/messages`, { headers: { "HX-Request": "true" } });
      if (!response.ok) return location.reload();
      const html = await response.text();
      for (const item of list.querySelectorAll("li:not(.pending)")) item.remove();
      list.insertAdjacentHTML("afterbegin", html); // our server's fragment
      scrollToBottom(); // before htmx watches the "load older" button, which is at the top
      htmx.process(list);
      localizeTimes(list);
      lastSeq = highestSeq();
      join();
    }

    function join() {
      socket.emit("joinRoom", { roomId, after: lastSeq }, (answer) => {
        if (answer && answer.code === "too_far_behind") return void reloadHistory();
        if (answer && answer.code) return setStatus(`Cannot follow this room: ${answer.message}`);
        room.dataset.joined = "true";
        for (const clientId of pending.keys()) send(clientId); // the same clientId: stored once at most
      });
    }

    /** Who came online or went offline here; someone the panel does not list yet has just joined the room. */
    function showPresence(change) {
      if (change.roomId !== roomId) return;
      const panel = document.getElementById("members");
      const changes = [...change.online.map((id) => [id, true]), ...change.offline.map((id) => [id, false])];
      for (const [userId, online] of changes) {
        const item = panel.querySelector(`li[data-user-id="${CSS.escape(userId)}"]`);
        if (!item) return void htmx.ajax("GET", `/chat/rooms/${roomId}/members`, { target: "#members", swap: "outerHTML" });
        item.dataset.online = String(online);
        item.querySelector(".presence-label").textContent = online ? ", online" : ", offline";
      }
    }

    function setStatus(text) {
      status.textContent = text;
    }

    const socket = io({ auth: { format: "html" } });
    socket.on("connect", () => {
      setStatus("");
      join();
    });
    socket.on("newMessage", showStored);
    socket.on("presence", showPresence);
    socket.on("disconnect", (reason) => {
      room.dataset.joined = "false";
      setStatus("Reconnecting…");
      // The server hung up on purpose (a restart, a revoked session): try again; a session
      // that is over then fails the handshake and goes to sign in.
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("connect_error", (error) => {
      const code = error && error.data && error.data.code;
      if (code === "invalid_token" || code === "missing_token") return location.assign("/signin");
      setStatus("Reconnecting…");
    });

    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      const content = textarea.value;
      if (!content.trim()) return;
      const clientId = newClientId();
      pending.set(clientId, content);
      showPending(clientId, content);
      textarea.value = "";
      textarea.focus();
      if (socket.connected) send(clientId); // otherwise the reconnect sends it
    });

    textarea.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      composer.requestSubmit();
    });

    scrollToBottom();
    textarea.focus();
  }
})();
