// Message formatting: the small Markdown people write in chat, rendered on the server, once per
// message state, by one markdown-it instance configured here and nowhere else. The stored
// content stays the text as written; this only decides how it shows.
//
// The subset: **bold** (or __bold__), *italic* (or _italic_), ~~struck~~, `code`, ``` fenced
// code blocks ```, [links](https://...), bare http(s) URLs, > quotes, - and 1. lists, and a
// line break where the writer pressed Enter. Not: headings, images, tables, rules, indented
// code, reference links, raw HTML (a chat line starting with "#" or "    " means what it says).
//
// Safe by construction: raw HTML is off, so "<script>" is text; every text, attribute and URL
// markdown-it writes is escaped; a link goes only to http(s) or mailto (markdown-it's own check
// already refuses javascript:, vbscript:, file: and data:), opens elsewhere, and carries
// rel="noopener noreferrer nofollow". Whatever is not valid Markdown shows as typed.
import MarkdownIt from "markdown-it";
import { SafeHtml } from "./html";

const md = new MarkdownIt("zero", { html: false, linkify: true, breaks: true, typographer: false });
md.enable(["linkify"], true); // the core rule that turns bare URLs into links
md.block.ruler.enableOnly(["fence", "blockquote", "list", "paragraph"]);
md.inline.ruler.enableOnly(["text", "linkify", "newline", "escape", "backticks", "strikethrough", "emphasis", "link", "autolink"]);
md.inline.ruler2.enableOnly(["balance_pairs", "strikethrough", "emphasis", "fragments_join"]);
// Only what a reader can tell is a link: a scheme written out, not "README.md" taken for a domain.
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });

const LINK_SCHEME = /^(?:https?:\/\/|mailto:)/i;
const markdownItAllows = md.validateLink.bind(md);
md.validateLink = (url) => markdownItAllows(url) && LINK_SCHEME.test(url.trim());

md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx]!;
  token.attrSet("rel", "noopener noreferrer nofollow");
  token.attrSet("target", "_blank");
  token.attrSet("class", "message-link");
  return self.renderToken(tokens, idx, options);
};

// "@username" as src/messages/mentions.ts finds it: not inside a word or an e-mail address.
const MENTION = /(?<![A-Za-z0-9_.@-])@[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,30}[A-Za-z0-9_])?/g;
const escapeHtml = md.utils.escapeHtml;

/** What the renderer is told about one message. */
interface RenderEnv {
  /** It mentions someone: its @names are marked (outside code), for public/actions.js to find yours. */
  mentions: boolean;
}

md.renderer.rules.text = (tokens, idx, _options, env) => {
  const text = tokens[idx]!.content;
  if (env?.mentions !== true) return escapeHtml(text);
  let out = "";
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    out += `${escapeHtml(text.slice(last, match.index))}<span class="mention">${escapeHtml(match[0])}</span>`;
    last = match.index + match[0].length;
  }
  return out + escapeHtml(text.slice(last));
};

/** The message's text as HTML, safe to insert as it is. */
export function renderMarkdown(content: string, mentions: boolean): SafeHtml {
  return new SafeHtml(md.render(content, { mentions } satisfies RenderEnv).trimEnd());
}

/** The words of a message without its markup, on one line: for quotes of it and previews. */
export function plainText(content: string): string {
  const words: string[] = [];
  const collect = (tokens: ReturnType<typeof md.parse>) => {
    for (const token of tokens) {
      if (token.children) collect(token.children);
      else if (token.type === "text" || token.type === "code_inline" || token.type === "fence") words.push(token.content);
      else if (token.type === "softbreak" || token.type === "hardbreak" || token.type === "paragraph_close") words.push(" ");
    }
  };
  collect(md.parse(content, { mentions: false } satisfies RenderEnv));
  return words.join("").replace(/\s+/g, " ").trim();
}
