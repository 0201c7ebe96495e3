// A search result's text with what matched marked. ts_headline marks full-text matches but
// escapes nothing, so it marks them with control characters that src/search/search.ts keeps
// out of the text; here the text between them is escaped like any other, and only then do the
// markers become <mark>. Terms found as parts of words (trigrams), which ts_headline cannot
// see, are marked here as well.
import { type FoundMessage, LESS_THAN, MATCH_END, MATCH_START } from "../src/search/search";
import { html, type SafeHtml } from "./html";

const mark = (text: string) => html`<mark>${text}</mark>`;

/** `text` with every case-insensitive occurrence of the terms marked. */
function markTerms(text: string, terms: string[]): SafeHtml {
  if (terms.length === 0 || text === "") return html`${text}`;
  const pattern = new RegExp(terms.map((term) => RegExp.escape(term)).join("|"), "gi");
  const parts: SafeHtml[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    parts.push(html`${text.slice(last, match.index)}`, mark(match[0]));
    last = match.index + match[0].length;
  }
  parts.push(html`${text.slice(last)}`);
  return html`${parts}`;
}

export function highlighted({ headline, terms }: Pick<FoundMessage, "headline" | "terms">): SafeHtml {
  const parts: SafeHtml[] = [];
  for (const [i, piece] of headline.replaceAll(LESS_THAN, "<").split(MATCH_START).entries()) {
    // Before the first marker there is no match; after each, the match runs up to its end marker.
    const [matched, rest] = i === 0 ? [undefined, piece] : piece.split(MATCH_END, 2);
    if (matched !== undefined) parts.push(mark(matched));
    parts.push(markTerms(rest ?? "", terms));
  }
  return html`${parts}`;
}
