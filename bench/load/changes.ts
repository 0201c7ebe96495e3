// The changes a mixed scenario makes beside its messages (see Changes in plan.ts): each
// sender's replies, edits and reactions, and every member saying it is typing.
import type { LeanSocket } from "../client/lean-socket";
import { ask } from "../client/targets";
import type { Changes } from "./plan";

/** What the changes add to a generator's report. */
export interface ChangeStats {
  changes: number;
  refused: number;
  typingSent: number;
}

/** One sender's choice of what to answer, edit and react to, and the changes themselves. */
export class ChangeMaker {
  /** The newest message of someone else that this sender's socket received. */
  private newestOthers?: string;
  /** Its own last acknowledged message. */
  private lastOwn?: string;
  /** Messages it reacted to, one per round: a second reaction with the same emoji would change nothing. */
  private readonly reactedTo = new Set<string>();

  constructor(
    private readonly socket: LeanSocket,
    private readonly changes: Changes,
    /** Differs from the messages' content: an edit to the same text would change nothing. */
    private readonly editedContent: string,
    private readonly stats: ChangeStats,
  ) {}

  /** Call with every message of someone else this sender's socket receives, in the room's order. */
  heard(messageId: string): void {
    this.newestOthers = messageId;
  }

  /** The message that message number `n` of this sender answers: only the middle one of each round answers one. */
  replyTo(n: number): string | undefined {
    const { roundMessages } = this.changes;
    return n % roundMessages === Math.floor(roundMessages / 2) ? (this.newestOthers ?? this.lastOwn) : undefined;
  }

  /** Call once message number `n` of this sender is acknowledged as `id`; after a round's last, makes the round's changes. */
  async acknowledged(n: number, id: string): Promise<void> {
    this.lastOwn = id;
    if ((n + 1) % this.changes.roundMessages !== 0) return;
    const target = this.newestOthers && !this.reactedTo.has(this.newestOthers) ? this.newestOthers : id;
    this.reactedTo.add(target);
    await this.change("editMessage", { messageId: id, content: this.editedContent });
    for (const emoji of this.changes.reactions) await this.change("react", { messageId: target, emoji });
  }

  private async change(event: string, payload: object): Promise<void> {
    if ((await ask(this.socket, event, payload)) === undefined) this.stats.refused++;
    else this.stats.changes++;
  }
}

/**
 * Every member says `typing` every `everyMs`, counted from the last (so that the server's
 * throttle of the same period swallows only those the network brings closer together),
 * starting at staggered times so that the room hears an even stream, until `until` resolves
 * or `capMs` has passed.
 */
export function typeAlong(members: { socket: LeanSocket; roomId: string }[], everyMs: number, capMs: number, until: Promise<unknown>, stats: ChangeStats): void {
  let stopped = false;
  void until.then(() => (stopped = true));
  const ticks = Math.ceil(capMs / everyMs);
  members.forEach(async ({ socket, roomId }, i) => {
    await Bun.sleep((i / members.length) * everyMs);
    for (let tick = 0; tick < ticks && !stopped; tick++) {
      stats.typingSent++;
      void ask(socket, "typing", { roomId }).then((answer) => answer === undefined && stats.refused++);
      await Bun.sleep(everyMs);
    }
  });
}
