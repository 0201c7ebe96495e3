// The API reference page: the REST operations from the generated OpenAPI document, and the
// Socket.IO events from the event map. Self-contained: no script, no outside request.
import { html, type SafeHtml } from "./html";

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  parameters?: { name: string; in: string; schema?: unknown }[];
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
export interface OpenApiDocument {
  info: { title: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}
export interface SocketEventDoc {
  direction: string;
  name: string;
  payload: unknown;
  answer: string;
}

const schemaText = (schema: unknown) => JSON.stringify(schema, (key, value) => (key === "error" ? undefined : value), 2);

function operation(method: string, path: string, op: Operation): SafeHtml {
  const body = op.requestBody?.content?.["application/json"]?.schema;
  const params = (op.parameters ?? []).map((p) => `${p.name} (${p.in})`).join(", ");
  return html`<section>
  <h3><code>${method.toUpperCase()} ${path}</code></h3>
  <p>${op.summary}</p>
  ${op.description && html`<p>${op.description}</p>`}
  ${params && html`<p>Parameters: <code>${params}</code></p>`}
  ${body && html`<details><summary>Request body</summary><pre>${schemaText(body)}</pre></details>`}
  <details><summary>Responses: ${Object.keys(op.responses ?? {}).join(", ")}</summary>${Object.entries(op.responses ?? {}).map(
    ([status, r]) => html`<p>${status}</p><pre>${schemaText(r.content?.["application/json"]?.schema ?? "no body")}</pre>`,
  )}</details>
</section>`;
}

export function docsPage(spec: OpenApiDocument, events: readonly SocketEventDoc[]): SafeHtml {
  const operations = Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => operation(method, path, op)));
  return html`<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${spec.info.title}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#8881;padding:.5rem;overflow:auto}
section{border-top:1px solid #8884;padding:.5rem 0}@media (prefers-color-scheme:dark){body{background:#111;color:#eee}}</style>
</head>
<body>
<h1>${spec.info.title}</h1>
<p>${spec.info.description}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1, the REST API) and <a href="/asyncapi.json">/asyncapi.json</a> (AsyncAPI 3, the Socket.IO events), made from the schemas that validate requests and events: generate a client from them in any language. Authenticate with <code>Authorization: Bearer &lt;token&gt;</code> from <code>POST /auth/login</code>.</p>
<h2 id="client-guide">Client guide</h2>
<p>What a client must do to show exactly the log, in any language (the README says the same at more length):</p>
<ol>
<li><strong>Keep the highest <code>seq</code> and <code>rev</code> seen, per room; never move them backwards.</strong> Take the maximum, not the last one heard: handlers may run out of order (python-socketio runs each on a thread).</li>
<li><strong>Apply messages by id, keeping the higher <code>rev</code>.</strong> <code>newMessage</code> and <code>messageUpdated</code> carry the whole message.</li>
<li><strong>Give every message a <code>clientId</code></strong> and resend with the same one when no answer came: the server answers the stored message instead of storing a second (REST: 200, not 201).</li>
<li><strong><code>rate_limited</code>: wait <code>retryAfterMs</code></strong> (REST: <code>Retry-After</code> seconds), then resend with the same <code>clientId</code>.</li>
<li><strong><code>too_large</code>, <code>message_too_long</code>, <code>body_too_large</code>: do not resend</strong>: the same event is refused every time. An event over MAX_BODY_BYTES gets <code>too_large</code> and the connection stays; a frame over the read limit (4 x MAX_BODY_BYTES, at least 1 MiB) closes the connection: reconnect, and drop that event.</li>
<li><strong>On every (re)connect, rejoin each room with <code>after: lastSeq, since: lastRev</code></strong>: what you missed is replayed before anything live. On <code>too_far_behind</code>, page <code>GET /messages/:roomId?after=</code> and <code>GET /rooms/:roomId/changes?since=</code> along <code>Link</code> <code>rel="next"</code>, then join again.</li>
<li><strong>Every acknowledgement is the answer or <code>{ message, code }</code></strong>; the error also arrives as an <code>error</code> event.</li>
</ol>
<h2>REST</h2>
${operations}
<h2 id="socket-io">Socket.IO at <code>/socket.io/</code></h2>
<p>Connect any Socket.IO v4 client with <code>auth: { token }</code>. Every client event accepts an acknowledgement callback, which receives the answer or <code>{ message, code }</code>.</p>
${events.map((e) => html`<section><h3><code>${e.name}</code> <small>${e.direction}</small></h3><p>${e.answer}</p><pre>${schemaText(e.payload)}</pre></section>`)}
</body>
</html>`;
}
