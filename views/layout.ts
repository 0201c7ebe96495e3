// The full page around a fragment. Scripts and styles come from /public only: the
// Content-Security-Policy allows nothing inline.
import { html, type SafeHtml } from "./html";
import { searchBox } from "./search";
import { type SidebarData, sidebarNav, sidebarToggle, totalUnread } from "./sidebar";

export interface Viewer {
  userId: string;
  username: string;
  /** A site admin: the header links to the admin page. */
  isAdmin: boolean;
}

export interface PageAssets {
  /** URL of a file under /public, with its version. */
  url(name: string): string;
}

// htmx without eval (no hx-on, no js: values) and without the style tag it would inject.
const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  selfRequestsOnly: true,
  historyCacheSize: 0,
  // A form answered 4xx carries its own error message: show it.
  responseHandling: [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "4..", swap: true },
    { code: "...", swap: false, error: true },
  ],
});

const headerLink = "text-blue-800 underline underline-offset-2 hover:no-underline focus-visible:outline-2 dark:text-blue-300";

/** The page's title, after the count of what is unread (public/sidebar.js keeps it current). */
function pageTitle(title: string, sidebar: SidebarData | undefined): string {
  const unread = sidebar ? totalUnread(sidebar.conversations) : 0;
  return `${unread ? `(${unread}) ` : ""}${title} · ChatLoop`;
}

export function layout(options: { title: string; viewer?: Viewer; sidebar?: SidebarData; assets: PageAssets; live?: boolean; scripts?: string[]; body: SafeHtml }): SafeHtml {
  const { title, viewer, sidebar, assets, live, scripts, body } = options;
  return html`<!doctype html>
<html lang="en" class="h-full">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${pageTitle(title, sidebar)}</title>
<meta name="theme-color" content="#ffffff" media="(prefers-color-scheme: light)">
<meta name="theme-color" content="#0f172a" media="(prefers-color-scheme: dark)">
<link rel="icon" type="image/png" sizes="192x192" href="${assets.url("icon-192.png")}">
<link rel="apple-touch-icon" href="${assets.url("apple-touch-icon.png")}">
<link rel="manifest" href="${assets.url("manifest.webmanifest")}">
<link rel="stylesheet" href="${assets.url("app.css")}">
<script src="${assets.url("htmx.min.js")}" defer></script>
${
  viewer &&
  html`<script src="${assets.url("socket.io.min.js")}" defer></script>
<script src="${assets.url("socket.js")}" defer></script>
<script src="${assets.url("sidebar.js")}" defer></script>
<script src="${assets.url("notifications.js")}" defer></script>
<script src="${assets.url("copy.js")}" defer></script>`
}
<script src="${assets.url("timeline.js")}" defer></script>
<script src="${assets.url("chat.js")}" defer></script>
<script src="${assets.url("uploads.js")}" defer></script>
${
  live &&
  html`<script src="${assets.url("actions.js")}" defer></script>
<script src="${assets.url("presence.js")}" defer></script>
<script src="${assets.url("reading.js")}" defer></script>`
}
${scripts?.map((name) => html`<script src="${assets.url(name)}" defer></script>`)}
</head>
<body class="flex min-h-full flex-col bg-white text-slate-900 dark:bg-slate-900 dark:text-slate-100">
<a href="#main" class="sr-only rounded bg-blue-700 px-3 py-1.5 font-semibold text-white focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-20">Skip to content</a>
<header class="flex flex-wrap items-center justify-between gap-2 border-b border-slate-300 px-4 py-2 dark:border-slate-700">
  <div class="flex items-center gap-3">
    ${sidebar && sidebarToggle(sidebar)}
    <a href="/" class="text-lg font-bold">ChatLoop</a>
  </div>
  ${
    viewer &&
    html`<div class="flex flex-wrap items-center gap-3 text-sm">
    ${searchBox()}
    <button id="enable-notifications" type="button" hidden data-username="${viewer.username}" class="rounded border border-slate-400 px-2 py-1 hover:bg-slate-100 focus-visible:outline-2 dark:hover:bg-slate-800"><span class="sm:hidden">Notify me</span><span class="max-sm:hidden">Turn on notifications</span></button>
    <a href="/chat/profile" class="flex items-center gap-1.5 underline-offset-2 hover:underline"><img src="/users/${viewer.userId}/avatar" alt="" width="24" height="24" class="size-6 rounded-full object-cover"><span>Signed in as <strong>${viewer.username}</strong></span><span class="sr-only">: your profile</span></a>
    <nav aria-label="Account" class="flex items-center gap-3">
      ${viewer.isAdmin && html`<a href="/chat/admin" class="${headerLink}">Admin</a>`}
      <a href="/chat/tokens" class="${headerLink}">Tokens</a>
      <a href="/chat/settings" class="${headerLink}">Settings</a>
    </nav>
    <form method="post" action="/signout"><button class="rounded border border-slate-400 px-2 py-1 hover:bg-slate-100 focus-visible:outline-2 dark:hover:bg-slate-800">Sign out</button></form>
  </div>`
  }
</header>
<div class="flex-1 lg:flex">
${viewer && sidebar && sidebarNav(sidebar, viewer.userId)}
<main id="main" class="mx-auto w-full min-w-0 max-w-6xl p-3 sm:p-4">
${body}
</main>
</div>
</body>
</html>`;
}

/** A page's whole content for an error, as fragment or inside the layout. */
export function errorFragment(message: string): SafeHtml {
  return html`<section class="py-8">
  <h1 class="text-xl font-bold">Sorry</h1>
  <p class="mt-2" role="alert">${message}</p>
  <p class="mt-4"><a class="underline" href="/">Back to your rooms</a></p>
</section>`;
}
