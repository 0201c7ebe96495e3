// What you do to a message, over the page's socket (public/chat.js) with its acknowledgement:
// react (the picker, and each reaction as a toggle), reply, edit in place, delete after a
// confirmation. The server's answer comes back as messageUpdated or newMessage, which the log
// shows as it shows everyone's. Also what in a message depends on who reads it, since the
// server renders each message once for every reader: your own messages' Edit and Delete (every
// message's Delete for the room's owner), mentions of you, your own reactions pressed, and who
// reacted, by name.
// Without this script the reactions and Delete still work as plain forms (see views/message.ts).
(() => {
  const live = window.chatLoop;
  if (!live) return;
  const { socket, room, viewerId, setStatus } = live;
  const list = document.getElementById("messages");
  const composer = document.getElementById("composer");
  const textarea = document.getElementById("composer-text");
  const dialog = document.getElementById("delete-dialog");

  room.dataset.enhanced = "true"; // shows the actions that need this script (Reply)

  const messageIdOf = (item) => item.id.slice("message-".length);
  const failed = (what) => (answer) => {
    if (answer && answer.code) setStatus(`Could not ${what}: ${answer.message}`);
  };

  // --- What depends on the reader -------------------------------------------------------

  /** Names by user id: the members panel's, and the senders' in the log (for people who left since). */
  function knownNames() {
    const names = new Map();
    for (const item of list.querySelectorAll("li.message[data-sender-id]")) {
      names.set(item.dataset.senderId, item.querySelector(".message-author").textContent);
    }
    for (const member of document.querySelectorAll("#members li[data-user-id]")) names.set(member.dataset.userId, member.dataset.username);
    return names;
  }

  /** "alice", "You and alice", "You, alice and bob". */
  function people(names) {
    if (names.length <= 1) return names.join("");
    return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  }

  function decorate(item, names) {
    if (!item.matches("li.message[data-sender-id]")) return;
    const own = item.dataset.senderId === viewerId;
    item.dataset.own = String(own);
    item.dataset.mayDelete = String(own || room.dataset.ownerId === viewerId || room.dataset.viewerAdmin === "true");
    item.dataset.mentionsYou = String(item.dataset.mentions.split(" ").includes(viewerId));
    for (const button of item.querySelectorAll("button.reaction")) {
      const ids = button.dataset.userIds.split(" ").filter(Boolean);
      button.setAttribute("aria-pressed", String(ids.includes(viewerId)));
      const others = ids.filter((id) => id !== viewerId).map((id) => names.get(id) || "someone");
      const text = `${people(ids.includes(viewerId) ? ["You", ...others] : others)} reacted with ${button.value}`;
      button.title = text;
      button.querySelector(".reaction-label").textContent = text;
    }
  }

  function decorateAll(selector = "li.message") {
    const names = knownNames();
    for (const item of list.querySelectorAll(selector)) decorate(item, names);
  }

  decorateAll();
  // A new or changed message from the log: decorated before it is painted; an open editor stays open.
  list.addEventListener("chatloop:item", (event) => {
    const item = event.target;
    decorate(item, knownNames());
    const editor = event.detail.previous && event.detail.previous.querySelector(".edit-form:not([data-saving])");
    if (editor && item.dataset.deleted !== "true") {
      item.querySelector(".message-body").hidden = true;
      item.querySelector(".message-body").after(editor);
    }
  });
  // Older history, or a new members panel (new names): htmx swapped it in.
  document.addEventListener("htmx:afterSettle", (event) => {
    decorateAll(event.detail.target && event.detail.target.id === "members" ? "li.message" : "li.message:not([data-own])");
  });

  // --- React ------------------------------------------------------------------------------

  // A reaction's button, or one of the picker's: your reaction if you had none with that emoji, else taken back.
  list.addEventListener("submit", (event) => {
    const item = event.target.closest("li.message");
    const button = event.submitter;
    if (!item || !button || !button.value) return;
    event.preventDefault();
    const emoji = button.value;
    const mine = [...item.querySelectorAll("button.reaction")].some((b) => b.value === emoji && b.getAttribute("aria-pressed") === "true");
    const picker = event.target.closest("details");
    if (picker) closePicker(picker);
    socket.emit(mine ? "unreact" : "react", { messageId: messageIdOf(item), emoji }, failed("react"));
  });

  function closePicker(picker, refocus = true) {
    picker.open = false;
    if (refocus) picker.querySelector("summary").focus();
  }
  // One picker open at a time; Escape or a click elsewhere closes it.
  list.addEventListener(
    "toggle",
    (event) => {
      if (!event.target.matches("details.react-picker") || !event.target.open) return;
      for (const other of list.querySelectorAll("details.react-picker[open]")) if (other !== event.target) closePicker(other, false);
    },
    true,
  );
  list.addEventListener("keydown", (event) => {
    const picker = event.key === "Escape" && event.target.closest("details.react-picker[open]");
    if (picker) closePicker(picker);
  });
  document.addEventListener("click", (event) => {
    for (const picker of list.querySelectorAll("details.react-picker[open]")) if (!picker.contains(event.target)) closePicker(picker, false);
  });

  // --- Reply, edit, delete ----------------------------------------------------------------------

  list.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]");
    const item = action && action.closest("li.message");
    if (!item) return;
    event.preventDefault();
    if (action.dataset.action === "reply") replyTo(item);
    if (action.dataset.action === "edit") startEditing(item);
    if (action.dataset.action === "delete") confirmDelete(item);
    if (action.dataset.action === "link") copyLink(action);
  });

  /** The permalink goes to the clipboard; where the page may not write there (plain http on a LAN), the link is followed instead. */
  async function copyLink(link) {
    try {
      await navigator.clipboard.writeText(link.href);
      const said = "Link to the message copied";
      setStatus(said);
      setTimeout(() => document.getElementById("connection-status").textContent === said && setStatus(""), 3000);
    } catch {
      location.href = link.href;
    }
  }

  const preview = document.getElementById("reply-preview");
  function replyTo(item) {
    composer.dataset.replyToId = messageIdOf(item);
    document.getElementById("reply-preview-author").textContent = item.querySelector(".message-author").textContent;
    document.getElementById("reply-preview-text").textContent = item.querySelector(".message-text").textContent;
    preview.hidden = false;
    textarea.focus();
  }
  function cancelReply() {
    delete composer.dataset.replyToId;
    preview.hidden = true;
  }
  composer.addEventListener("chatloop:sent", cancelReply);
  document.getElementById("reply-cancel").addEventListener("click", () => {
    cancelReply();
    textarea.focus();
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !preview.hidden) cancelReply();
  });

  /** Asks in a modal dialog (its first button, Cancel, has the focus), then deletes. */
  function confirmDelete(item) {
    const messageId = messageIdOf(item);
    document.getElementById("delete-dialog-text").textContent = item.querySelector(".message-text").textContent;
    dialog.returnValue = "";
    dialog.addEventListener(
      "close",
      () => {
        if (dialog.returnValue === "delete") socket.emit("deleteMessage", { messageId }, failed("delete the message"));
      },
      { once: true },
    );
    dialog.showModal();
  }

  /** The text gives way to a form with the text in it: Enter saves, Shift+Enter starts a new line, Escape cancels. */
  /** A message's text as its sender wrote it (the item shows it formatted). */
  const sourceOf = (root) => root.querySelector("template.message-source").content.textContent;

  function startEditing(item) {
    const open = item.querySelector(".edit-form textarea");
    if (open) return open.focus();
    const messageId = messageIdOf(item);
    const body = item.querySelector(".message-body");
    const form = document.createElement("form");
    form.className = "edit-form mt-1 flex flex-col gap-1";
    const label = document.createElement("label");
    label.className = "sr-only";
    label.htmlFor = `edit-${messageId}`;
    label.textContent = "Edit your message";
    const input = document.createElement("textarea");
    input.id = `edit-${messageId}`;
    input.className = textarea.className;
    input.value = sourceOf(body); // as written, not as shown
    input.rows = Math.min(8, input.value.split("\n").length + 1);
    input.maxLength = textarea.maxLength;
    input.required = true;
    const error = document.createElement("p");
    error.className = "text-sm text-red-800 dark:text-red-200";
    error.setAttribute("role", "alert");
    const buttons = document.createElement("div");
    buttons.className = "flex items-center gap-2 text-sm";
    const save = document.createElement("button");
    save.className =
      "rounded bg-blue-700 px-2 py-1 font-semibold text-white hover:bg-blue-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 dark:bg-blue-600 dark:hover:bg-blue-500 dark:focus-visible:outline-blue-300";
    save.textContent = "Save";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "rounded px-2 py-1 text-slate-700 underline focus-visible:outline-2 focus-visible:outline-blue-700 dark:text-slate-300 dark:focus-visible:outline-blue-300";
    cancel.textContent = "Cancel";
    const hint = document.createElement("span");
    hint.className = "text-xs text-slate-700 dark:text-slate-300";
    hint.textContent = "Enter saves, Escape cancels";
    buttons.append(save, cancel, hint);
    form.append(label, input, error, buttons);
    body.hidden = true;
    body.after(form);
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);

    const current = () => document.getElementById(`message-${messageId}`);
    const stop = () => {
      const shown = current();
      const editor = shown && shown.querySelector(".edit-form");
      if (!editor) return;
      editor.remove();
      shown.querySelector(".message-body").hidden = false;
      shown.querySelector('[data-action="edit"]').focus();
    };
    cancel.addEventListener("click", stop);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") return void (event.preventDefault(), stop());
      if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      form.requestSubmit();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const content = input.value;
      if (!content.trim()) return void (error.textContent = "A message cannot be empty: delete it instead.");
      if (content === sourceOf(current())) return stop();
      // Saving: the edited message, when it comes, takes the editor's place (see chatloop:item above).
      form.dataset.saving = "true";
      socket.emit("editMessage", { messageId, content }, (answer) => {
        if (!answer || !answer.code) return;
        delete form.dataset.saving;
        error.textContent = `Not saved: ${answer.message}`;
      });
    });
  }
})();
