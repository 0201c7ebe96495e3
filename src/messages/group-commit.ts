// Group commit: the sends that arrive while a store is running wait and go together in the
// next one, so that under load many messages share a round trip and a commit, while a lone
// message on an idle server is stored at once. Each caller still hears only once its own
// message is committed.
//
// A room has one statement in flight at a time. Its messages would queue for the room's row
// lock in PostgreSQL anyway, each statement holding a connection while it waits; here they
// wait in memory instead and go together in the room's next statement. In a busy room that is
// one statement, one commit and one round of deliveries for everything its senders sent
// meanwhile (fan-out costs a write per member per round, however many messages the round
// carries), while statements for other rooms run beside it.
import { isUniqueViolation, type Sql } from "../db/sql";
import { isDatabaseUnavailable } from "../errors";
import { type NewMessage, type Stored, storeMessages } from "./store";

/** A batch is at most this many messages: one statement's JSON stays small. */
const MAX_BATCH = 500;
/**
 * ...and at most this many characters of content (UTF-16 units), so that the largest batch
 * stays well inside the database's statement timeout: 500 messages of 1,000 characters were
 * stored in 0.2 s under load, while 500 of 4,000 four-byte characters (8 MB) took up to 2.2 s.
 */
const MAX_BATCH_TEXT = 1_000_000;

interface Waiting {
  message: NewMessage;
  resolve(stored: Stored): void;
  reject(error: unknown): void;
}

export class GroupCommit {
  /** Each room's waiting sends, in the order they came; rooms in the order their first one came. */
  private readonly waiting = new Map<string, Waiting[]>();
  /** Rooms with a statement in flight: their new messages wait for it. */
  private readonly busy = new Set<string>();
  private running = 0;

  constructor(
    private readonly sql: Sql,
    /** Stores running at once: more than one lets different rooms' batches overlap. */
    private readonly concurrency: number,
    /** Told the size of each batch stored. */
    private readonly stored: (size: number) => void = () => {},
  ) {}

  store(message: NewMessage): Promise<Stored> {
    return new Promise((resolve, reject) => {
      const room = this.waiting.get(message.roomId);
      if (room) room.push({ message, resolve, reject });
      else this.waiting.set(message.roomId, [{ message, resolve, reject }]);
      if (!this.busy.has(message.roomId)) this.next();
    });
  }

  private next(): void {
    while (this.running < this.concurrency) {
      const batch = this.nextBatch();
      if (batch.length === 0) return;
      const rooms = new Set(batch.map((w) => w.message.roomId));
      for (const room of rooms) this.busy.add(room);
      this.running++;
      void this.run(batch).finally(() => {
        for (const room of rooms) this.busy.delete(room);
        this.running--;
        this.next();
      });
    }
  }

  /**
   * The waiting sends of rooms with no statement in flight, rooms first come first served, up
   * to the batch limits (at least one send, however long). What does not fit keeps its place
   * at the head of its room's queue.
   */
  private nextBatch(): Waiting[] {
    const batch: Waiting[] = [];
    let text = 0;
    for (const [roomId, queue] of this.waiting) {
      if (this.busy.has(roomId)) continue;
      let taken = 0;
      for (const { message } of queue) {
        if (batch.length + taken === MAX_BATCH || (batch.length + taken > 0 && text + message.content.length > MAX_BATCH_TEXT)) break;
        text += message.content.length;
        taken++;
      }
      batch.push(...queue.splice(0, taken));
      if (queue.length > 0) return batch; // full
      this.waiting.delete(roomId);
    }
    return batch;
  }

  /** Takes every waiting send of the rooms of `batch` out of the queue. */
  private takeWaiting(batch: Waiting[]): Waiting[] {
    const rooms = new Set(batch.map((w) => w.message.roomId));
    return [...rooms].flatMap((room) => {
      const queue = this.waiting.get(room) ?? [];
      this.waiting.delete(room);
      return queue;
    });
  }

  /**
   * Stores a batch, and makes sure one send cannot fail another: when the statement fails for
   * anything but an unreachable database, the batch is stored again in halves (first half
   * first, so each room's messages still are broadcast in seq order), down to the one send
   * that really fails. A poisoned send in a batch of 500 costs about 18 statements, once.
   */
  private async run(batch: Waiting[], retried = false): Promise<void> {
    try {
      const results = await storeMessages(
        this.sql,
        batch.map((w) => w.message),
      );
      this.stored(batch.length);
      // In the batch's order, so that each room's messages are broadcast in seq order.
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        // Halving cannot help, and would keep every sender waiting the longer. The sends waiting
        // for these rooms fail with it: each would wait for the database a whole deadline more.
        for (const w of [...batch, ...this.takeWaiting(batch)]) w.reject(error);
      } else if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await this.run(batch.slice(0, half));
        await this.run(batch.slice(half));
      } else if (!retried && isUniqueViolation(error, "messages_sender_client_id_key")) {
        // Another send stored this clientId since the statement began: once more, and this
        // time the statement finds the message stored first.
        await this.run(batch, true);
      } else {
        batch[0]!.reject(error);
      }
    }
  }
}
