// The keys of Web Push, as base64url P-256 values: the server's VAPID pair, which signs every
// push (RFC 8292), and a browser's public key, which every push is encrypted for (RFC 8291).
import { createECDH, createPublicKey } from "node:crypto";
import webpush from "web-push";

export interface VapidKeys {
  /** An uncompressed P-256 point: 65 bytes. */
  publicKey: string;
  /** A P-256 private scalar: 32 bytes. */
  privateKey: string;
}

export const generateVapidKeys = (): VapidKeys => webpush.generateVAPIDKeys();

/** Why the pair cannot sign pushes, or undefined when it can. */
export function vapidKeysProblem({ publicKey, privateKey }: VapidKeys): string | undefined {
  const secret = base64url(privateKey);
  if (secret?.length !== 32) return "VAPID_PRIVATE_KEY must be 32 bytes in base64url (as `chatloop vapid-keys` prints it)";
  if (!isP256Point(publicKey)) return "VAPID_PUBLIC_KEY must be an uncompressed P-256 point, 65 bytes in base64url (as `chatloop vapid-keys` prints it)";
  // A pair that does not belong together signs pushes that every push service refuses, silently.
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(secret);
  if (ecdh.getPublicKey("base64url") !== base64url(publicKey)!.toString("base64url")) return "VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY";
  return undefined;
}

/** A base64url P-256 public key in uncompressed form, on the curve (a browser's `p256dh`). */
export function isP256Point(value: string): boolean {
  const point = base64url(value);
  if (point?.length !== 65 || point[0] !== 4) return false;
  try {
    const [x, y] = [point.subarray(1, 33), point.subarray(33)].map((half) => half.toString("base64url"));
    createPublicKey({ key: { kty: "EC", crv: "P-256", x, y }, format: "jwk" });
    return true;
  } catch {
    return false;
  }
}

/** The bytes of base64url text (padding allowed), or undefined when it is not that. */
export function base64url(value: string): Buffer | undefined {
  return /^[A-Za-z0-9_-]*={0,2}$/.test(value) ? Buffer.from(value, "base64url") : undefined;
}
