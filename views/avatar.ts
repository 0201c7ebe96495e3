// A person's avatar beside their name: decorative (the name is always said next to it), so its
// text is empty. The URL is theirs for good; the image behind it changes when they upload one.
import { html, type SafeHtml } from "./html";

export function avatar(url: string, size: number): SafeHtml {
  return html`<img src="${url}" alt="" width="${size}" height="${size}" loading="lazy" class="avatar shrink-0 rounded-full object-cover">`;
}
