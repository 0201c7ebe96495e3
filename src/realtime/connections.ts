// How many sockets a user has open, on every instance: each instance marks its own sockets in
// the shared state (InstanceMarks), so the sockets of an instance that died stop counting once
// their marks expire; a lone instance keeps its marks itself (LocalMarks).
import { AppError } from "../errors";
import type { Marks } from "../state/instance-marks";

const setOf = (userId: string) => `connections:${userId}`;

export class TooManyConnections extends AppError {
  constructor(max: number) {
    super(429, "rate_limited", `at most ${max} connections per user: close another one first`);
  }
}

export class ConnectionCount {
  constructor(
    private readonly marks: Marks,
    private readonly max: number,
  ) {}

  /**
   * Counts a new socket of the user, or refuses it when the user has `max` already. Like the
   * other limits, one that cannot be counted (Redis away) lets the socket in.
   */
  async open(userId: string, socketId: string): Promise<void> {
    const open = await this.marks.keys(setOf(userId)).catch(() => []);
    if (open.length >= this.max) throw new TooManyConnections(this.max);
    await this.marks.mark(setOf(userId), socketId).catch(() => {});
  }

  /**
   * Which of these users have a socket open, on any instance. A user whose sockets cannot be
   * counted (the shared state away) counts as having none: a notification too many is better
   * than a message missed.
   */
  async withOpenSockets(userIds: string[]): Promise<Set<string>> {
    const open = await Promise.all(userIds.map((userId) => this.marks.keys(setOf(userId)).catch(() => [])));
    return new Set(userIds.filter((_, i) => open[i]!.length > 0));
  }

  /** Uncounts a socket that `open` counted (unmarking one it did not changes nothing). */
  async closed(userId: string, socketId: string): Promise<void> {
    await this.marks.unmark(setOf(userId), socketId);
  }
}
