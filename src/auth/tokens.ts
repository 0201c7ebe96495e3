// Signed session tokens. A token carries only the user id and its session id; the algorithm
// is pinned so that a token signed any other way (or not at all) is refused.
import { jwtVerify, SignJWT } from "jose";
import { unauthorized } from "../errors";

const ALGORITHM = "HS256";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value: unknown): value is string => typeof value === "string" && UUID.test(value);

export interface TokenClaims {
  userId: string;
  sessionId: string;
  expiresAt: Date;
}

export class TokenSigner {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(claims: TokenClaims): Promise<string> {
    return new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
      .setSubject(claims.userId)
      .setIssuedAt()
      .setExpirationTime(Math.floor(claims.expiresAt.getTime() / 1000))
      .sign(this.key);
  }

  async verify(token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: [ALGORITHM], requiredClaims: ["sub", "exp"] });
      if (!isUuid(payload.sid) || !isUuid(payload.sub)) throw new Error("claims are not ids");
      return { userId: payload.sub, sessionId: payload.sid, expiresAt: new Date(payload.exp! * 1000) };
    } catch {
      throw unauthorized("invalid_token", "the token is invalid or has expired");
    }
  }
}
