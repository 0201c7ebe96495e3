// `/` is shared: API clients get the health answer, a browser gets the home page.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { BROWSER_ACCEPT, getPage, signInBrowser } from "./browser";
import { signUp, startServer, stopServer, type TestServer } from "./harness";

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
  await signUp(server, "alice");
});
afterAll(() => stopServer(server));

test("API clients at / get the JSON health answer, whatever they accept", async () => {
  for (const accept of [undefined, "*/*", "application/json", "application/json, text/html"]) {
    const response = await fetch(server.base + "/", { headers: accept ? { accept } : {} });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    expect(await response.json()).toEqual({ status: "ok" });
  }
});

test("a browser asking for HTML at / gets the home page instead of the JSON health answer", async () => {
  const anonymous = await fetch(server.base + "/", { headers: { accept: BROWSER_ACCEPT }, redirect: "manual" });
  expect(anonymous.status).toBe(303);
  expect(anonymous.headers.get("location")).toBe("/signin");

  const home = await getPage(await signInBrowser(server, "alice"), "/");
  expect(home.status).toBe(200);
  expect(home.headers.get("content-type")).toBe("text/html; charset=utf-8");
  const page = await home.text();
  expect(page).toStartWith("<!doctype html>");
  expect(page).toContain(`<nav id="sidebar" aria-label="Conversations"`);
  expect(page).toContain("Public rooms to join");
  expect(page).toContain("Signed in as <strong>alice</strong>");
});
