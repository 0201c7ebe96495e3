// Who is in the room with you, over the page's socket (public/chat.js): the members panel's
// online marks, "alice is typing…" (and saying so yourself while you type), @-completion of
// the members' names in the composer, and being removed from the room by its owner.
(() => {
  const live = window.chatLoop;
  if (!live) return;
  const { socket, room, roomId, viewerId, setStatus } = live;
  const composer = document.getElementById("composer");
  const textarea = document.getElementById("composer-text");

  // --- Online -------------------------------------------------------------------------------

  const memberRow = (userId) => document.querySelector(`#members li[data-user-id="${CSS.escape(userId)}"]`);
  function markOnline(row, online) {
    row.dataset.online = String(online);
    row.querySelector(".presence-label").textContent = online ? ", online" : ", offline";
  }

  /** Who came online or went offline here; someone the panel does not list yet has just joined the room. */
  socket.on("presence", (change) => {
    if (change.roomId !== roomId || room.dataset.removed === "true") return;
    const changes = [...change.online.map((id) => [id, true]), ...change.offline.map((id) => [id, false])];
    for (const [userId, online] of changes) {
      const row = memberRow(userId);
      if (!row) return void htmx.ajax("GET", `/chat/rooms/${roomId}/members`, { target: "#members", swap: "outerHTML" });
      markOnline(row, online);
    }
  });

  // --- Typing -------------------------------------------------------------------------------

  /** How long "is typing…" shows after the last word of it (the contract's "about 5 s"). */
  const TYPING_SHOWN_MS = 5000;
  /** How often this page says it is typing, at most (the server passes on one every 2 s). */
  const TYPING_EVERY_MS = 2000;
  const typingStatus = document.getElementById("typing-status");
  const typists = new Map(); // userId -> { username, timer }

  function showTyping() {
    const names = [...typists.values()].map((t) => t.username);
    const text =
      names.length === 0
        ? ""
        : names.length === 1
          ? `${names[0]} is typing…`
          : names.length === 2
            ? `${names[0]} and ${names[1]} are typing…`
            : `${names.length} people are typing…`;
    if (typingStatus.textContent !== text) typingStatus.textContent = text;
  }
  function stoppedTyping(userId) {
    const typist = typists.get(userId);
    if (!typist) return;
    clearTimeout(typist.timer);
    typists.delete(userId);
    showTyping();
  }
  socket.on("typing", (typing) => {
    if (typing.roomId !== roomId || typing.userId === viewerId) return;
    const typist = typists.get(typing.userId);
    if (typist) clearTimeout(typist.timer);
    typists.set(typing.userId, { username: typing.username, timer: setTimeout(stoppedTyping, TYPING_SHOWN_MS, typing.userId) });
    showTyping();
  });
  // Their message is what they were typing.
  socket.on("newMessage", (message) => message.roomId === roomId && stoppedTyping(message.senderId));

  let saidTypingAt = 0;
  textarea.addEventListener("input", () => {
    if (!textarea.value.trim() || room.dataset.joined !== "true" || Date.now() - saidTypingAt < TYPING_EVERY_MS) return;
    saidTypingAt = Date.now();
    socket.emit("typing", { roomId });
  });
  composer.addEventListener("chatloop:sent", () => (saidTypingAt = 0)); // typing again after a send is news

  // --- Removed by the owner -----------------------------------------------------------------

  socket.on("roomLeft", (left) => {
    if (left.roomId !== roomId || left.reason !== "removed") return;
    room.dataset.removed = "true";
    room.dataset.joined = "false";
    room.dataset.live = "false"; // hides the messages' actions
    setStatus("You were removed from this room");
    textarea.disabled = true;
    textarea.placeholder = "You were removed from this room";
    for (const button of composer.querySelectorAll("button")) button.disabled = true;
    const own = memberRow(viewerId);
    if (own) markOnline(own, false);
    for (const userId of [...typists.keys()]) stoppedTyping(userId);
  });

  // --- @-completion -------------------------------------------------------------------------
  // The composer stays a textbox; the list of matching members is a listbox it controls, its
  // current option the textbox's active descendant. Arrows move, Enter or Tab picks, Escape closes.

  const options = document.getElementById("mention-options");
  let matches = [];
  let active = -1;
  let start = 0; // where the "@" being completed is

  const memberNames = () => [...document.querySelectorAll("#members li[data-username]")].map((row) => row.dataset.username).filter((name) => name !== room.dataset.username);

  /** The "@name" being typed just before the caret, as src/messages/mentions.ts would read it. */
  function mentionBeforeCaret() {
    const before = textarea.value.slice(0, textarea.selectionStart);
    const match = /(?:^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{0,32})$/.exec(before);
    return match && { start: before.length - match[1].length - 1, prefix: match[1].toLowerCase() };
  }

  function complete() {
    const mention = textarea.selectionStart === textarea.selectionEnd && mentionBeforeCaret();
    matches = mention
      ? memberNames()
          .filter((name) => name.toLowerCase().startsWith(mention.prefix))
          .slice(0, 8)
      : [];
    if (matches.length === 0) return close();
    start = mention.start;
    options.replaceChildren(
      ...matches.map((name, i) => {
        const option = document.createElement("li");
        option.id = `mention-option-${i}`;
        option.setAttribute("role", "option");
        option.className = "cursor-pointer px-3 py-1 hover:bg-slate-100 aria-selected:bg-blue-700 aria-selected:text-white dark:hover:bg-slate-700 dark:aria-selected:bg-blue-600";
        option.textContent = `@${name}`;
        return option;
      }),
    );
    options.hidden = false;
    select(0);
  }

  function select(index) {
    active = index;
    for (const [i, option] of [...options.children].entries()) option.setAttribute("aria-selected", String(i === index));
    textarea.setAttribute("aria-activedescendant", `mention-option-${index}`);
    options.children[index].scrollIntoView({ block: "nearest" });
  }

  function close() {
    options.hidden = true;
    options.replaceChildren();
    matches = [];
    active = -1;
    textarea.removeAttribute("aria-activedescendant");
  }

  function pick(index) {
    const name = `@${matches[index]} `;
    const before = textarea.value.slice(0, start);
    textarea.value = before + name + textarea.value.slice(textarea.selectionStart);
    textarea.setSelectionRange(before.length + name.length, before.length + name.length);
    close();
    textarea.focus();
  }

  textarea.addEventListener("input", complete);
  textarea.addEventListener("blur", close);
  // Before the composer's own keys (Enter sends), while the list is open.
  composer.addEventListener(
    "keydown",
    (event) => {
      if (options.hidden || event.target !== textarea || event.isComposing) return;
      if (event.key === "ArrowDown") select((active + 1) % matches.length);
      else if (event.key === "ArrowUp") select((active - 1 + matches.length) % matches.length);
      else if ((event.key === "Enter" && !event.shiftKey) || (event.key === "Tab" && !event.shiftKey)) pick(active);
      else if (event.key === "Escape") close();
      else return;
      event.preventDefault();
      event.stopPropagation();
    },
    true,
  );
  options.addEventListener("mousedown", (event) => event.preventDefault()); // keeps the focus in the composer
  options.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) pick([...options.children].indexOf(option));
  });
})();
