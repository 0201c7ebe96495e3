// A bot's own web server, as its author would write it: it checks each delivery's signature
// (the way the README shows), answers as it is told, and keeps every delivery it received.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Message } from "../src/messages/schemas";

export interface Delivery {
  id: string;
  message: Message;
  room: { id: string; name: string; kind: string };
  /** What the bot answered. */
  status: number;
}

/** The README's check: the signature of "<timestamp>.<body>", compared in constant time. */
export function verifySignature(secret: string, timestamp: string | null, body: string, signature: string | null): boolean {
  if (!timestamp || !signature?.startsWith("sha256=")) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex"));
  const given = Buffer.from(signature.slice("sha256=".length));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export class BotServer {
  secret = "";
  /** Requests answered 503 before the bot recovers. */
  failures = 0;
  /** What a good delivery is answered with. */
  answer: (delivery: Omit<Delivery, "status">) => Response = () => new Response(null, { status: 204 });
  readonly received: Delivery[] = [];
  readonly forged: Request[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  private readonly server: ReturnType<typeof Bun.serve>;

  constructor() {
    this.server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => this.receive(request) });
  }

  get url(): string {
    return `http://127.0.0.1:${this.server.port}/hook`;
  }

  /** Waits until `count` deliveries have been answered 2xx. */
  delivered(count: number): Promise<Delivery[]> {
    const ok = () => this.received.filter((d) => d.status < 300);
    if (ok().length >= count) return Promise.resolve(ok());
    return new Promise((resolve) => this.waiters.push({ count, resolve: () => resolve(ok()) }));
  }

  /** Waits until `count` requests of any answer have arrived. */
  requests(count: number): Promise<Delivery[]> {
    return new Promise((resolve) => {
      const check = () => (this.received.length >= count ? (resolve(this.received), true) : false);
      if (!check()) this.waiters.push({ count: -count, resolve: () => resolve(this.received) });
    });
  }

  stop(): void {
    this.server.stop(true);
  }

  private async receive(request: Request): Promise<Response> {
    const body = await request.text();
    if (!verifySignature(this.secret, request.headers.get("x-chatloop-timestamp"), body, request.headers.get("x-chatloop-signature"))) {
      this.forged.push(request);
      return new Response("bad signature", { status: 401 });
    }
    const { message, room } = JSON.parse(body);
    const delivery = { id: request.headers.get("x-chatloop-delivery")!, message, room };
    let response: Response;
    if (this.failures > 0) {
      this.failures--;
      response = new Response("busy", { status: 503 });
    } else {
      response = this.answer(delivery);
    }
    this.received.push({ ...delivery, status: response.status });
    const ok = this.received.filter((d) => d.status < 300).length;
    this.waiters = this.waiters.filter((w) => {
      const done = w.count > 0 ? ok >= w.count : this.received.length >= -w.count;
      if (done) w.resolve();
      return !done;
    });
    return response;
  }
}
