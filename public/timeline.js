// The log as a conversation in the reader's own time zone: times of day, a separator where a
// day begins ("Today", "Yesterday", then dates), and consecutive messages from one person
// within a few minutes grouped under one name and time. The server renders the same in UTC
// (views/timeline.ts); this redoes it for the reader, for the pages of history that go in above
// (keeping the reader's place), and for each message the live log (public/chat.js) inserts or
// replaces (`chatloop:item`). A change only looks at its neighbours: long logs cost no more.
// Also where the log opens: at the message a permalink names, else at the "New messages"
// divider, else at the end; and the pages of newer history that go in below, from a permalink.
(() => {
  /** The same as GROUP_MS in views/timeline.ts. */
  const GROUP_MS = 5 * 60 * 1000;

  const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });
  const inThisYear = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric" });
  const inAnotherYear = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric", year: "numeric" });

  const list = document.getElementById("messages");
  const log = document.getElementById("message-log");
  if (!list || !log) return;
  const viewerId = document.getElementById("room").dataset.viewerId;

  function localizeTimes(root) {
    for (const time of root.querySelectorAll("time[datetime]")) {
      const date = new Date(time.dateTime);
      if (Number.isNaN(date.getTime())) continue;
      time.textContent = timeOfDay.format(date);
      time.title = fullDate.format(date);
    }
  }

  // --- Days and groups --------------------------------------------------------------------

  const isMessage = (element) => element.classList.contains("message");
  /** When a message was written; a message still being sent (public/chat.js) was written now. */
  const timeOf = (item) => (item.classList.contains("pending") ? Date.now() : Date.parse(item.querySelector("time").dateTime));
  const senderOf = (item) => item.dataset.senderId || viewerId;
  const dayKey = (date) => `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
  const dayOf = (item) => dayKey(new Date(timeOf(item)));

  function dayLabel(key) {
    const [year, month, day] = key.split("-").map(Number);
    const date = new Date(year, month - 1, day);
    const today = new Date();
    if (key === dayKey(today)) return "Today";
    if (key === dayKey(new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1))) return "Yesterday";
    return (year === today.getFullYear() ? inThisYear : inAnotherYear).format(date);
  }

  function label(separator, key) {
    separator.dataset.day = key;
    const text = dayLabel(key);
    if (separator.firstElementChild.textContent !== text) separator.firstElementChild.textContent = text;
  }

  function newSeparator() {
    const separator = document.createElement("li");
    separator.className = "day-separator";
    separator.append(document.createElement("h2"));
    return separator;
  }

  /**
   * Puts right what lies between a message and the one before it: a day separator if and only
   * if a day begins, and the message grouped under the one before if the same person wrote it
   * within GROUP_MS on the same day, with no "New messages" divider between them.
   */
  function fit(item) {
    const gap = [];
    let previous = item.previousElementSibling;
    for (; previous && !isMessage(previous); previous = previous.previousElementSibling) gap.push(previous);
    const day = dayOf(item);
    const newDay = !previous || dayOf(previous) !== day;
    let separator = null;
    for (const element of gap) {
      if (!element.classList.contains("day-separator")) continue;
      if (newDay && !separator) separator = element;
      else element.remove();
    }
    if (newDay) {
      separator = separator || item.insertAdjacentElement("beforebegin", newSeparator());
      label(separator, day);
    }
    const divided = gap.some((element) => element.id === "unread-divider");
    const grouped = !newDay && !divided && senderOf(previous) === senderOf(item) && timeOf(item) - timeOf(previous) < GROUP_MS;
    item.dataset.grouped = String(grouped);
  }

  /** A message went in or changed: it, and the message after it. */
  function fitAround(item) {
    fit(item);
    let next = item.nextElementSibling;
    while (next && !isMessage(next)) next = next.nextElementSibling;
    if (next) return fit(next);
    // It is the last message: a separator after it (left by a message being sent, now stored) begins no day.
    for (let after = item.nextElementSibling, following; after; after = following) {
      following = after.nextElementSibling;
      if (after.classList.contains("day-separator")) after.remove();
    }
  }

  localizeTimes(list);
  for (const item of list.querySelectorAll("li.message")) fit(item);

  list.addEventListener("chatloop:item", (event) => {
    localizeTimes(event.target);
    fitAround(event.target);
  });
  // The divider moved (public/reading.js): the messages it left and reached are grouped again.
  list.addEventListener("chatloop:regroup", (event) => fitAround(event.target));

  // "Today" becomes "Yesterday" at midnight: checked when the reader comes back to the page.
  let today = dayKey(new Date());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible" || dayKey(new Date()) === today) return;
    today = dayKey(new Date());
    for (const separator of list.querySelectorAll("li.day-separator")) label(separator, separator.dataset.day);
  });

  // --- Older history ------------------------------------------------------------------------

  /**
   * Older messages go in above what the reader is looking at: the message that was at the top
   * stays where it was on screen. (The browser does not do this at scrollTop 0.) That also moves
   * the next "Load older messages" button out of view, so one scroll to the top loads one page,
   * not every page back to the first message.
   */
  let kept = null; // { item, top }: the message below the button, and where it was
  /** Newer history goes in below this element (the last before the "Load newer messages" button). */
  let seam = null;
  log.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (!event.detail.shouldSwap) return;
    if (target.matches("li.newer-messages")) seam = target.previousElementSibling;
    if (!target.matches("li.older-messages") || !target.nextElementSibling) return;
    const item = target.parentElement.querySelector("li.message");
    kept = item && { item, top: item.getBoundingClientRect().top };
  });
  // Before the browser paints, and before htmx watches the new button (it does when the swap settles).
  log.addEventListener("htmx:afterSwap", () => {
    if (seam) {
      // The page that went in below, and where it meets the log: days and groups across the seam.
      for (let item = seam.nextElementSibling; item; item = item.nextElementSibling) {
        if (!isMessage(item)) continue;
        localizeTimes(item);
        fit(item);
      }
      seam = null;
    }
    if (!kept) return;
    for (const item of list.querySelectorAll("li.message")) {
      localizeTimes(item);
      fit(item);
      if (item === kept.item) break; // the page that went in, and where it meets the log
    }
    log.scrollTop += kept.item.getBoundingClientRect().top - kept.top;
    kept = null;
  });

  // --- Where the log opens --------------------------------------------------------------------

  /** Of the log's height, how much shows above the "New messages" divider: what came just before. */
  const CONTEXT_ABOVE_DIVIDER = 1 / 4;
  const permalinked = list.querySelector('li.message[data-linked="true"]');
  const linked = permalinked || (location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1))));
  const divider = document.getElementById("unread-divider");
  if (linked && list.contains(linked)) linked.scrollIntoView({ block: "center" });
  else if (divider) log.scrollTop += divider.getBoundingClientRect().top - log.getBoundingClientRect().top - log.clientHeight * CONTEXT_ABOVE_DIVIDER;
  else log.scrollTop = log.scrollHeight;
})();
