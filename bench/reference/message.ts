// What the reference servers broadcast: a message shaped like ChatLoop's (same fields, about
// the same size on the wire), numbered per room in memory and stored nowhere.
const lastSeq = new Map<string, number>();

export interface SendPayload {
  roomId: string;
  content: string;
  clientId?: string;
}

export function referenceMessage(payload: SendPayload, senderId: string) {
  const seq = (lastSeq.get(payload.roomId) ?? 0) + 1;
  lastSeq.set(payload.roomId, seq);
  return {
    id: crypto.randomUUID(),
    roomId: payload.roomId,
    seq,
    senderId,
    username: "reference",
    content: payload.content,
    clientId: payload.clientId ?? null,
    createdAt: new Date().toISOString(),
  };
}

/** Says where it listens the way ChatLoop does, so the bench starts all three alike. */
export function announce(url: string): void {
  console.log(JSON.stringify({ event: "started", url }));
}
