// The load generator's client: Engine.IO v4 / Socket.IO v5 over Bun's own WebSocket, with
// only what a benchmark needs. `newMessage` and `messageUpdated` frames are not parsed as JSON:
// the receiver gets the raw frame and picks out what it counts, so the generator stays cheaper
// than the server.

export type FrameHandler = (frame: string) => void;

/** What a target's wire looks like: the WebSocket URL, and whether Engine.IO's handshake runs first. */
export interface Wire {
  url: string;
  /** Socket.IO servers open with `0{...}`, take CONNECT `40{auth}` and ping with "2"; the raw reference does none of that. */
  engineIo: boolean;
}

const NEW_MESSAGE = '42["newMessage",';
const MESSAGE_UPDATED = '42["messageUpdated",';
const TYPING = '42["typing",';
const ROOM_ACTIVITY = '42["roomActivity",';

export class LeanSocket {
  private readonly ws: WebSocket;
  private nextAckId = 0;
  private readonly acks = new Map<number, (answer: unknown) => void>();
  /** Every `newMessage` frame, as received. */
  onMessage: FrameHandler = () => {};
  /** Every `messageUpdated` frame, as received. */
  onUpdate: FrameHandler = () => {};
  /** Called on every `typing` frame; only counted, so not handed over. */
  onTyping: () => void = () => {};
  /** Called on every `roomActivity` frame (ChatLoop's once-a-second news of a room); only counted. */
  onActivity: () => void = () => {};
  readonly closed: Promise<void>;

  private constructor(
    ws: WebSocket,
    private readonly auth: Record<string, string>,
  ) {
    this.ws = ws;
    this.closed = new Promise((resolve) => ws.addEventListener("close", () => resolve()));
  }

  /** Opens the WebSocket and, on a Socket.IO server, CONNECTs to the main namespace with `auth`. */
  static open(wire: Wire, auth?: Record<string, string>): Promise<LeanSocket> {
    const ws = new WebSocket(wire.url);
    const socket = new LeanSocket(ws, auth ?? {});
    return new Promise((resolve, reject) => {
      ws.addEventListener("error", () => reject(new Error(`websocket error on ${wire.url}`)));
      ws.addEventListener("close", (event) => reject(new Error(`closed before connecting: ${event.code} ${event.reason}`)));
      ws.addEventListener("message", (event) => socket.receive(event.data as string, resolve, reject));
      if (!wire.engineIo) ws.addEventListener("open", () => resolve(socket));
    });
  }

  /** Sends an event and resolves with the first argument of its acknowledgement. */
  emitWithAck(event: string, payload: unknown): Promise<unknown> {
    const id = this.nextAckId++;
    this.ws.send(`42${id}${JSON.stringify([event, payload])}`);
    return new Promise((resolve) => this.acks.set(id, resolve));
  }

  close(): void {
    this.ws.close();
  }

  private receive(frame: string, connected: (socket: LeanSocket) => void, refused: (error: Error) => void): void {
    if (frame.startsWith(NEW_MESSAGE)) return this.onMessage(frame);
    if (frame.startsWith(MESSAGE_UPDATED)) return this.onUpdate(frame);
    if (frame.startsWith(TYPING)) return this.onTyping();
    if (frame.startsWith(ROOM_ACTIVITY)) return this.onActivity();
    if (frame === "2") return this.ws.send("3");
    if (frame.startsWith("43")) return this.acknowledged(frame);
    if (frame[0] === "0") return this.ws.send(`40${JSON.stringify(this.auth)}`);
    if (frame.startsWith("40")) return connected(this);
    if (frame.startsWith("44")) {
      this.ws.close();
      refused(new Error(`connect refused: ${frame.slice(2)}`));
    }
  }

  private acknowledged(frame: string): void {
    const bracket = frame.indexOf("[");
    const id = Number(frame.slice(2, bracket));
    const resolve = this.acks.get(id);
    this.acks.delete(id);
    resolve?.((JSON.parse(frame.slice(bracket)) as unknown[])[0]);
  }
}
