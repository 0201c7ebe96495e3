// Every HTTP endpoint ChatLoop serves, with a request each would accept, for the fuzzer to
// break. `{room}`, `{user}` and `{message}` in a path stand for ids (see Fixtures).

export interface Fixtures {
  /** host:port, as the Host header and the Origin of our own pages say it. */
  host: string;
  /** alice owns `room` (public) and `hidden` (private); bob is a member of `room`. */
  alice: Session;
  bob: Session;
  /** A session the fuzzer may end (logout, sign-out): no other case relies on it. */
  spare: Session;
  room: string;
  hidden: string;
  /** A message of alice's in `room`. */
  message: string;
}

export interface Session {
  id: string;
  username: string;
  token: string;
}

export interface Endpoint {
  method: string;
  path: string;
  /** A body it would accept: JSON for the API, form fields for the browser's pages. */
  body?: { kind: "json"; fields: (f: Fixtures) => Record<string, unknown> } | { kind: "form"; fields: (f: Fixtures) => Record<string, string> };
  /** Ends the session it is called with: it is given the spare session instead. */
  endsSession?: true;
}

const PASSWORD = "correct horse battery";
const EXAMPLE_PUSH_KEYS = { p256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4", auth: "BTBZMqHH6r4Tts7J_aSIgg" };

const json = (fields: (f: Fixtures) => Record<string, unknown>) => ({ kind: "json" as const, fields });
const form = (fields: (f: Fixtures) => Record<string, string>) => ({ kind: "form" as const, fields });

export const ENDPOINTS: Endpoint[] = [
  // The API
  { method: "GET", path: "/" },
  { method: "GET", path: "/healthz" },
  { method: "GET", path: "/readyz" },
  { method: "GET", path: "/metrics" },
  { method: "GET", path: "/openapi.json" },
  { method: "GET", path: "/docs" },
  { method: "POST", path: "/auth/register", body: json(() => ({ username: "fuzzed_user", password: PASSWORD })) },
  { method: "POST", path: "/auth/login", body: json((f) => ({ username: f.bob.username, password: PASSWORD })) },
  // A wrong current password: the fuzzer must not end everyone's sessions by succeeding.
  { method: "POST", path: "/auth/password", body: json(() => ({ currentPassword: "not the password", newPassword: "another horse battery" })), endsSession: true },
  { method: "POST", path: "/auth/logout", endsSession: true },
  { method: "GET", path: "/rooms" },
  { method: "POST", path: "/rooms", body: json(() => ({ name: "fuzzed room", isPrivate: false })) },
  { method: "GET", path: "/rooms/{room}" },
  { method: "POST", path: "/rooms/{room}/join" },
  { method: "POST", path: "/rooms/{room}/leave" },
  { method: "GET", path: "/rooms/{room}/members" },
  { method: "POST", path: "/rooms/{room}/invites", body: json((f) => ({ username: f.bob.username })) },
  { method: "DELETE", path: "/rooms/{room}/members/{user}" },
  { method: "GET", path: "/messages/{room}?limit=10&before=5" },
  { method: "POST", path: "/messages", body: json((f) => ({ roomId: f.room, content: "hello", senderId: f.alice.id, clientId: "fz-1", replyToId: f.message })) },
  { method: "GET", path: "/rooms/{room}/changes?since=0&limit=10" },
  { method: "POST", path: "/rooms/{room}/read", body: json(() => ({ seq: 1 })) },
  { method: "PUT", path: "/rooms/{room}/notify", body: json(() => ({ level: "all" })) },
  { method: "POST", path: "/dms", body: json((f) => ({ username: f.bob.username })) },
  { method: "GET", path: "/users?query=bo&limit=5" },
  { method: "GET", path: "/push/key" },
  // An endpoint that never resolves (.invalid), with RFC 8291's example browser keys.
  { method: "POST", path: "/push/subscriptions", body: json(() => ({ endpoint: "https://push.invalid/fuzz", expirationTime: null, keys: EXAMPLE_PUSH_KEYS })) },
  { method: "DELETE", path: "/push/subscriptions", body: json(() => ({ endpoint: "https://push.invalid/fuzz" })) },
  { method: "PATCH", path: "/messages/{message}", body: json(() => ({ content: "edited" })) },
  { method: "DELETE", path: "/messages/{message}" },
  { method: "PUT", path: "/messages/{message}/reactions/%F0%9F%91%8D" },
  { method: "DELETE", path: "/messages/{message}/reactions/%F0%9F%91%8D" },
  // The browser's pages
  { method: "GET", path: "/signin" },
  { method: "POST", path: "/signin", body: form((f) => ({ username: f.bob.username, password: PASSWORD })) },
  { method: "GET", path: "/register" },
  { method: "POST", path: "/register", body: form(() => ({ username: "fuzzed_page_user", password: PASSWORD })) },
  { method: "POST", path: "/signout", endsSession: true },
  { method: "GET", path: "/public/app.css" },
  { method: "GET", path: "/public/manifest.webmanifest" },
  { method: "GET", path: "/sw.js" },
  { method: "POST", path: "/chat/rooms", body: form(() => ({ name: "fuzzed page room", isPrivate: "true" })) },
  { method: "GET", path: "/chat/rooms/{room}" },
  { method: "GET", path: "/chat/rooms/{room}/messages?before=3" },
  { method: "GET", path: "/chat/rooms/{room}/members" },
  { method: "POST", path: "/chat/rooms/{room}/join" },
  { method: "POST", path: "/chat/rooms/{room}/leave" },
  { method: "POST", path: "/chat/rooms/{room}/members/{user}/remove" },
  { method: "POST", path: "/chat/rooms/{room}/invites", body: form((f) => ({ username: f.bob.username })) },
  { method: "POST", path: "/chat/rooms/{room}/messages", body: form(() => ({ content: "hello from a form" })) },
  { method: "POST", path: "/chat/rooms/{room}/messages/{message}/reactions", body: form(() => ({ emoji: "👍" })) },
  { method: "GET", path: "/chat/rooms/{room}/messages/{message}/delete" },
  { method: "POST", path: "/chat/rooms/{room}/messages/{message}/delete" },
  { method: "POST", path: "/chat/rooms/{room}/messages/{message}/unread" },
  { method: "POST", path: "/chat/rooms/{room}/notify", body: form(() => ({ level: "none" })) },
  // The Socket.IO handshake, over long-polling and over WebSocket
  { method: "GET", path: "/socket.io/?EIO=4&transport=polling" },
  { method: "GET", path: "/socket.io/?EIO=4&transport=websocket" },
];

export interface Ids {
  room: string;
  user: string;
  message: string;
}

export const withIds = (path: string, ids: Ids) => path.replaceAll("{room}", ids.room).replaceAll("{user}", ids.user).replaceAll("{message}", ids.message);

/** The same text for every id in a path. */
export const everyId = (id: string): Ids => ({ room: id, user: id, message: id });

/** The fixtures' ids: alice's public room, bob, and alice's message there. */
export const idsOf = (f: Fixtures): Ids => ({ room: f.room, user: f.bob.id, message: f.message });

export const pathOf = (endpoint: Endpoint, f: Fixtures) => withIds(endpoint.path, idsOf(f));
