// A browser's side of the HTTP conversation, for tests: the session cookie, same-origin
// form posts, and pages asked for as htmx or as a whole.
import { io as connectSocket } from "socket.io-client";
import type { ChatSocket, TestServer } from "./harness";

export const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

export interface Browser {
  server: TestServer;
  cookie: string;
}

/** A form post as a browser on our own page sends it (Origin set), unless told otherwise. */
export function postForm(server: TestServer, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(server.base + path, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: server.base, accept: BROWSER_ACCEPT, ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Signs in through the sign-in form; the browser keeps the session cookie. */
export async function signInBrowser(server: TestServer, username: string, password = "correct horse battery"): Promise<Browser> {
  const response = await postForm(server, "/signin", { username, password });
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  if (response.status !== 303 || !cookie) throw new Error(`sign in ${username}: ${response.status}`);
  return { server, cookie };
}

export function getPage(browser: Browser, path: string, headers: Record<string, string> = {}) {
  return fetch(browser.server.base + path, { redirect: "manual", headers: { cookie: browser.cookie, accept: BROWSER_ACCEPT, ...headers } });
}

export function post(browser: Browser, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return postForm(browser.server, path, fields, { cookie: browser.cookie, ...headers });
}

/** A Socket.IO client that asks for HTML fragments, authenticated like the page's own socket. */
export function htmlSocket(server: TestServer, auth: Record<string, string>, headers: Record<string, string> = {}): Promise<ChatSocket> {
  const socket: ChatSocket = connectSocket(server.base, {
    auth: { format: "html", ...auth },
    extraHeaders: headers,
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}
