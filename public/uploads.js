// Files in the composer: the Attach button, paste and drag-and-drop upload each file at once
// (POST /rooms/:roomId/uploads, with its progress), and show it as a chip that can be removed.
// The ids of the finished ones wait on #composer (data-attachment-ids) for public/chat.js to
// send with the message. And the lightbox: an image in the log opens at full size.
(() => {
  const room = document.getElementById("room");
  const composer = document.getElementById("composer");
  if (room && composer) startUploads(room.dataset.roomId, composer);
  startLightbox();

  function startUploads(roomId, composer) {
    const input = document.getElementById("attach-input");
    const button = document.getElementById("attach-button");
    const chips = document.getElementById("pending-uploads");
    const textarea = document.getElementById("composer-text");
    button.hidden = false;

    /** What chat.js reads: the finished uploads, and whether any is still going. */
    function update() {
      const ready = [...chips.querySelectorAll("li[data-id]")].map((chip) => chip.dataset.id);
      composer.dataset.attachmentIds = ready.join(" ");
      composer.dataset.uploading = String(chips.querySelector("li[data-state=uploading]") !== null);
      textarea.required = ready.length === 0; // a message with files may say nothing
    }

    function upload(file) {
      const chip = document.createElement("li");
      chip.className = "flex items-center gap-2 rounded border border-slate-400 px-2 py-1 text-sm dark:border-slate-500";
      chip.dataset.state = "uploading";
      const name = document.createElement("span");
      name.className = "max-w-48 truncate";
      name.textContent = file.name || "pasted image";
      const progress = document.createElement("progress");
      progress.max = 100;
      progress.value = 0;
      progress.setAttribute("aria-label", `Uploading ${name.textContent}`);
      progress.className = "w-20";
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "rounded px-1 underline focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-300";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove ${name.textContent}`);
      chip.append(name, progress, remove);
      chips.append(chip);

      const request = new XMLHttpRequest();
      request.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
      });
      request.addEventListener("load", () => {
        const answer = safeJson(request.responseText);
        if (request.status === 201 && answer) {
          chip.dataset.id = answer.id;
          chip.dataset.state = "ready";
          progress.remove();
        } else {
          chip.dataset.state = "failed";
          progress.replaceWith(failure(answer ? answer.message : `upload failed (${request.status})`));
        }
        update();
      });
      request.addEventListener("error", () => {
        chip.dataset.state = "failed";
        progress.replaceWith(failure("upload failed"));
        update();
      });
      remove.addEventListener("click", () => {
        request.abort();
        chip.remove();
        update();
        textarea.focus();
      });
      const form = new FormData();
      form.append("file", file, file.name || "pasted-image.png");
      request.open("POST", `/rooms/${roomId}/uploads`);
      request.send(form);
      update();
    }

    function failure(text) {
      const note = document.createElement("span");
      note.className = "text-red-700 dark:text-red-300";
      note.textContent = text;
      return note;
    }

    const uploadAll = (files) => [...files].forEach(upload);
    button.addEventListener("click", () => input.click());
    input.addEventListener("change", () => {
      uploadAll(input.files);
      input.value = "";
    });
    textarea.addEventListener("paste", (event) => {
      const files = event.clipboardData?.files;
      if (!files || files.length === 0) return;
      event.preventDefault();
      uploadAll(files);
    });
    composer.addEventListener("dragover", (event) => {
      if (event.dataTransfer?.types.includes("Files")) event.preventDefault();
    });
    composer.addEventListener("drop", (event) => {
      if (!event.dataTransfer?.files.length) return;
      event.preventDefault();
      uploadAll(event.dataTransfer.files);
    });
    composer.addEventListener("chatloop:sent", () => {
      chips.replaceChildren();
      update();
    });
    update();
  }

  function safeJson(text) {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  }

  // A modal <dialog>: Escape and Close shut it, and the focus goes back to the image it came from.
  function startLightbox() {
    const dialog = document.getElementById("lightbox");
    if (!dialog) return;
    const image = document.getElementById("lightbox-image");
    const link = document.getElementById("lightbox-link");
    let opener = null;
    document.addEventListener("click", (event) => {
      const anchor = event.target.closest?.("a[data-lightbox]");
      if (!anchor || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      const name = anchor.querySelector("img")?.alt ?? "";
      image.src = anchor.href;
      image.alt = name;
      link.href = anchor.href;
      link.textContent = name;
      opener = anchor;
      dialog.showModal();
    });
    dialog.addEventListener("close", () => {
      image.removeAttribute("src");
      opener?.focus();
      opener = null;
    });
  }
})();
