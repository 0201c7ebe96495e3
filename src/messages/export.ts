// A room's history to take away: every message in seq order, in its current state, as JSON
// lines (one message object per line, as the API gives them) or as Markdown to read. Streamed
// in batches read by seq (keyset, never OFFSET), each read only when the client has taken the
// one before: memory stays the same whatever the room's size.
import type { Sql } from "../db/sql";
import { log } from "../log";
import { requireMember } from "../rooms/rooms";
import { listMessages } from "./log";
import type { ExportFormat, Message } from "./schemas";

/** Messages per read: large enough that a big room is few round trips, small enough to hold and well inside the statement timeout. */
const EXPORT_BATCH = 500;

export interface RoomExport {
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

const FORMATS = {
  jsonl: { extension: "jsonl", contentType: "application/x-ndjson; charset=utf-8", header: () => "", line: (m: Message) => `${JSON.stringify(m)}\n` },
  md: { extension: "md", contentType: "text/markdown; charset=utf-8", header: (name: string) => `# ${name}\n\n`, line: markdown },
} as const;

/**
 * The room's messages up to where its log stood when the export began (later ones are the next
 * export's), for its members: a private room is not found by anyone else, a public one is
 * forbidden until they join.
 */
export async function exportRoom(sql: Sql, userId: string, roomId: string, format: ExportFormat): Promise<RoomExport> {
  const room = await requireMember(sql, userId, roomId);
  const { extension, contentType, header, line } = FORMATS[format];
  const encoder = new TextEncoder();
  let after = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const head = header(room.name);
        if (head) controller.enqueue(encoder.encode(head));
      },
      async pull(controller) {
        let batch: Message[];
        try {
          batch = await listMessages(sql, roomId, { after, before: room.lastSeq + 1, limit: EXPORT_BATCH });
        } catch (error) {
          // The status line is long gone: the download ends unfinished (the client sees it cut off), the server goes on.
          log.error("export_failed", error);
          return controller.error(error);
        }
        if (batch.length > 0) controller.enqueue(encoder.encode(batch.map(line).join("")));
        if (batch.length < EXPORT_BATCH) return controller.close();
        after = batch.at(-1)!.seq;
      },
    },
    { highWaterMark: 0 }, // read the next batch only when the client has taken this one
  );
  return { filename: `${fileSafe(room.name)}-${new Date().toISOString().slice(0, 10)}.${extension}`, contentType, body };
}

/** A name that is safe in a Content-Disposition header and on any file system: ASCII letters, digits, `.`, `_`, `-`. */
function fileSafe(name: string): string {
  const ascii = name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 60);
  return `chatloop-${ascii || "room"}`;
}

/** One message as Markdown: who and when, what it answers, its text, its reactions. */
function markdown(m: Message): string {
  const when = `${m.createdAt.slice(0, 16).replace("T", " ")} UTC`;
  const head = `**${m.username}** · ${when} · #${m.seq}${m.editedAt && !m.deletedAt ? " (edited)" : ""}\n`;
  if (m.deletedAt) return `${head}*This message was deleted.*\n\n`;
  const reply = m.replyTo ? `> In reply to ${m.replyTo.username} (#${m.replyTo.seq}): ${m.replyTo.content.replace(/\s+/g, " ")}\n\n` : "";
  const reactions = m.reactions.length ? `\nReactions: ${m.reactions.map((r) => `${r.emoji} ${r.count}`).join(", ")}\n` : "";
  return `${head}${reply}${m.content}\n${reactions}\n`;
}
