// The admin page's Copy buttons: a link to hand over (a reset link, the join link) goes to the
// clipboard. Without this script the link is still there, in a read-only field to copy by hand.
(() => {
  const reveal = (root) => {
    for (const button of root.querySelectorAll("button[data-copy]")) button.hidden = false;
  };
  reveal(document);
  // A row or the join link htmx swapped in brings a button of its own.
  document.addEventListener("htmx:load", (event) => reveal(event.target));

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    const id = button.dataset.copy;
    const field = document.getElementById(id);
    const status = document.querySelector(`[data-copied="${id}"]`);
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Copied.";
    } catch {
      // No clipboard outside a secure context (plain http on another host): select it for the keyboard.
      field.focus();
      field.select();
      status.textContent = "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
    }
  });
})();
