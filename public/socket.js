// The page's one Socket.IO connection, on every page of a signed-in person: the room page
// follows its room over it, and everything that concerns the person wherever they are (their
// rooms' activity, read markers, notifications) reaches them over it too. Other scripts use
// `window.chatLoopSocket`; this file only keeps it connected.
(() => {
  if (typeof io !== "function") return;
  const socket = io({ auth: { format: "html" } });
  socket.on("disconnect", (reason) => {
    // The server hung up on purpose (a restart, a revoked session): try again; a session that
    // is over then fails the handshake and goes to sign in.
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("connect_error", (error) => {
    const code = error && error.data && error.data.code;
    if (code === "invalid_token" || code === "missing_token") location.assign("/signin");
  });
  window.chatLoopSocket = socket;
})();
