// Web Push from the other side, for tests: a push service on 127.0.0.1 that keeps what it is
// sent and answers as told, and a browser's part: its own P-256 key pair and auth secret, as
// PushManager.subscribe makes them, and the decryption it does (RFC 8291 over RFC 8188).
import { createDecipheriv, createECDH, createHmac, type ECDH, randomBytes } from "node:crypto";

export interface Pushed {
  path: string;
  headers: Headers;
  body: Buffer;
}

export class PushService {
  /** Every request, in the order they came. */
  readonly received: Pushed[] = [];
  private readonly answers = new Map<string, number[]>();
  private readonly waiters: { path: string; count: number; resolve: (pushed: Pushed) => void }[] = [];
  private readonly server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (request) => {
      const pushed = { path: new URL(request.url).pathname, headers: request.headers, body: Buffer.from(await request.arrayBuffer()) };
      this.received.push(pushed);
      const count = this.to(pushed.path).length;
      for (const waiter of this.waiters.filter((w) => w.path === pushed.path && w.count === count)) waiter.resolve(pushed);
      return new Response(null, { status: this.answers.get(pushed.path)?.shift() ?? 201 });
    },
  });

  /** The endpoint URL of one browser. */
  endpoint(path: string): string {
    return `http://127.0.0.1:${this.server.port}${path}`;
  }

  /** The statuses to answer the next requests to the path with, in order; 201 after them. */
  answer(path: string, ...statuses: number[]): void {
    this.answers.set(path, statuses);
  }

  to(path: string): Pushed[] {
    return this.received.filter((pushed) => pushed.path === path);
  }

  /** The `count`th request to the path (1 is the first), once it has come. */
  request(path: string, count = 1): Promise<Pushed> {
    const already = this.to(path)[count - 1];
    if (already) return Promise.resolve(already);
    return new Promise((resolve) => this.waiters.push({ path, count, resolve }));
  }

  stop(): Promise<void> {
    return this.server.stop(true);
  }
}

/** A browser's keys for one subscription. */
export class BrowserKeys {
  readonly ecdh: ECDH = createECDH("prime256v1");
  readonly auth: Buffer;

  constructor(privateKey?: Buffer, auth?: Buffer) {
    if (privateKey) this.ecdh.setPrivateKey(privateKey);
    else this.ecdh.generateKeys();
    this.auth = auth ?? randomBytes(16);
  }

  /** What PushSubscription.toJSON() gives, for this endpoint. */
  subscription(endpoint: string) {
    return { endpoint, expirationTime: null, keys: { p256dh: this.ecdh.getPublicKey("base64url"), auth: this.auth.toString("base64url") } };
  }

  /** The plaintext of an aes128gcm push body, as the browser reads it. */
  decrypt(body: Buffer): string {
    // RFC 8188's header: salt (16) | record size (4) | key id length (1) | key id: the sender's public key.
    const salt = body.subarray(0, 16);
    const recordSize = body.readUInt32BE(16);
    const idLength = body[20]!;
    const senderPublic = body.subarray(21, 21 + idLength);
    const record = body.subarray(21 + idLength);
    if (record.length > recordSize) throw new Error("a push is one record");
    // RFC 8291 section 3.4: the input keying material from the shared secret and both public keys.
    const hmac = (key: Buffer, ...data: Buffer[]) => createHmac("sha256", key).update(Buffer.concat(data)).digest();
    const sharedSecret = this.ecdh.computeSecret(senderPublic);
    const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), this.ecdh.getPublicKey(), senderPublic]);
    const ikm = hmac(hmac(this.auth, sharedSecret), keyInfo, Buffer.from([1]));
    // RFC 8188 section 2.2 and 2.3: the content encryption key and the nonce.
    const prk = hmac(salt, ikm);
    const cek = hmac(prk, Buffer.from("Content-Encoding: aes128gcm\0"), Buffer.from([1])).subarray(0, 16);
    const nonce = hmac(prk, Buffer.from("Content-Encoding: nonce\0"), Buffer.from([1])).subarray(0, 12);
    const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
    decipher.setAuthTag(record.subarray(-16));
    const padded = Buffer.concat([decipher.update(record.subarray(0, -16)), decipher.final()]);
    // The last record ends with the delimiter 2, then any zeros of padding.
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end--;
    if (padded[end] !== 2) throw new Error("the record does not end with the last record's delimiter");
    return padded.subarray(0, end).toString("utf8");
  }
}
