// Link previews (unfurling): after a message is stored, never on its way, the instance that
// stored it fetches the pages of up to three of its http(s) links through the guarded fetcher
// (HTML only, 5 MB at most, short timeouts), reads their Open Graph title, description and image
// with open-graph-scraper, keeps the image (fetched through the same guard) to serve it from our
// own origin, and adds the previews to the message as a change (src/messages/change.ts). What
// waits here is in memory and bounded: a preview is a nicety, and one lost to a restart or a
// burst is no loss of data.
import ogs from "open-graph-scraper";
import type { Broadcasts } from "../broadcasts";
import type { Sql } from "../db/sql";
import { log } from "../log";
import { attachPreviews } from "../messages/change";
import type { LinkPreview, Message } from "../messages/schemas";
import { addressRule, type Guard, guardedFetch } from "../net/guarded-fetch";
import { shortened } from "../text";

/** Links previewed per message at most (the contract's 3). */
const MAX_LINKS = 3;
/** A page is read up to this many bytes; a longer one gets no preview. */
const MAX_PAGE_BYTES = 5 * 1024 * 1024;
/** An image is kept up to this many bytes. */
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
/** For a page or an image, everything included. */
const FETCH_TIMEOUT_MS = 5000;
/** Messages waiting for their previews; more are not previewed. */
const MAX_QUEUED = 1000;
/** Messages previewed at once. */
const CONCURRENCY = 4;
/** Images served inline: those a browser shows and cannot run. */
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
/** Text kept of a title or a description. */
const MAX_TEXT = 300;

const LINK = /\bhttps?:\/\/[^\s<>"']+/gi;

/** The distinct http(s) links of a text, first ones first, without the sentence's own punctuation after them. */
export function linksIn(content: string): string[] {
  const found = [...content.matchAll(LINK)].map((m) => m[0].replace(/[.,;:!?)\]}]+$/, "")).filter((link) => URL.canParse(link));
  return [...new Set(found)].slice(0, MAX_LINKS);
}

export class LinkPreviews {
  private readonly queue: Message[] = [];
  private active = 0;
  private stopped = false;
  private readonly running = new Set<Promise<void>>();
  private readonly guard: Guard["addressAllowed"];

  constructor(
    private readonly deps: { sql: Sql; broadcasts: Pick<Broadcasts, "messageChanged"> },
    allowPrivate: boolean,
  ) {
    this.guard = addressRule(allowPrivate);
  }

  messageStored(message: Message): void {
    if (this.stopped || linksIn(message.content).length === 0 || this.queue.length >= MAX_QUEUED) return;
    this.queue.push(message);
    this.next();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    await Promise.all(this.running);
  }

  private next(): void {
    while (this.active < CONCURRENCY && this.queue.length > 0) {
      const message = this.queue.shift()!;
      this.active++;
      const run = this.preview(message)
        .catch((error) => log.warn("link_preview_failed", { message: message.id, error: String(error) }))
        .finally(() => {
          this.active--;
          this.running.delete(run);
          this.next();
        });
      this.running.add(run);
    }
  }

  private async preview(message: Message): Promise<void> {
    const found = await Promise.all(linksIn(message.content).map((url) => this.previewOf(message.id, url).catch(() => undefined)));
    const previews = found.filter((preview): preview is LinkPreview => preview !== undefined);
    if (previews.length > 0 && !this.stopped) await attachPreviews(this.deps, message.roomId, message.id, previews);
  }

  /** The page's preview, or undefined when it is no HTML page or says nothing worth showing. */
  private async previewOf(messageId: string, url: string): Promise<LinkPreview | undefined> {
    const page = await guardedFetch(
      url,
      { headers: { accept: "text/html", "user-agent": "ChatLoop link preview" } },
      { addressAllowed: this.guard, timeoutMs: FETCH_TIMEOUT_MS, maxBytes: MAX_PAGE_BYTES },
    );
    if (page.status !== 200 || !page.headers.get("content-type")?.toLowerCase().startsWith("text/html")) return undefined;
    const { result } = await ogs({ html: new TextDecoder().decode(page.body) });
    const title = clip(result.ogTitle ?? result.twitterTitle ?? null);
    const description = clip(result.ogDescription ?? result.twitterDescription ?? null);
    const image = result.ogImage?.[0]?.url ?? result.twitterImage?.[0]?.url;
    const imageUrl = image && URL.canParse(image, page.url) ? await this.keepImage(messageId, new URL(image, page.url).href).catch(() => null) : null;
    if (!title && !description) return undefined;
    return { url, title, description, imageUrl };
  }

  /** Fetches the image through the guard and keeps it; answers where we serve it. */
  private async keepImage(messageId: string, url: string): Promise<string | null> {
    const image = await guardedFetch(
      url,
      { headers: { accept: [...IMAGE_TYPES].join(", ") } },
      { addressAllowed: this.guard, timeoutMs: FETCH_TIMEOUT_MS, maxBytes: MAX_IMAGE_BYTES },
    );
    const type = image.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
    if (image.status !== 200 || !IMAGE_TYPES.has(type)) return null;
    const [row] = await this.deps.sql<{ id: string }[]>`
      insert into link_preview_images (message_id, content_type, body) values (${messageId}, ${type}, ${Buffer.from(image.body)}) returning id`;
    return `/previews/${row!.id}`;
  }
}

const clip = (text: string | null) => {
  const trimmed = text?.trim();
  if (!trimmed) return null;
  return shortened(trimmed, MAX_TEXT);
};

/** A preview image, for someone who may read its message's room. */
export async function previewImage(sql: Sql, imageId: string): Promise<{ roomId: string; contentType: string; body: Buffer } | undefined> {
  const [row] = await sql<{ room_id: string; content_type: string; body: Buffer }[]>`
    select m.room_id, i.content_type, i.body from link_preview_images i join messages m on m.id = i.message_id where i.id = ${imageId}`;
  return row && { roomId: row.room_id, contentType: row.content_type, body: row.body };
}
