// The AsyncAPI 3 document of the Socket.IO events, made from the event map's own schemas
// (SOCKET_EVENTS, the validators'), so that clients in any language can generate their code.
// Socket.IO is one channel, the connection: an event a client sends is an operation the server
// receives, whose reply is the acknowledgement; an event the server emits is one it sends.
import { publishedSchema } from "../json-schema";
import { ErrorBody } from "../schemas";
import { SOCKET_EVENTS } from "./events";

const CHANNEL = { $ref: "#/channels/socket" };

export function asyncApiDocument(): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const event of SOCKET_EVENTS) {
    const fromClient = event.direction.startsWith("client");
    // A name may go both ways (`typing`): each direction is a message of its own.
    const id = fromClient ? event.name : `${event.name}Event`;
    messages[id] = { name: event.name, title: event.name, summary: event.answer, payload: publishedSchema(event.payload) };
    operations[fromClient ? event.name : `on${event.name[0]!.toUpperCase()}${event.name.slice(1)}`] = {
      action: fromClient ? "receive" : "send",
      channel: CHANNEL,
      summary: `${event.direction}: ${event.answer}`,
      messages: [{ $ref: `#/channels/socket/messages/${id}` }],
      ...("ack" in event && {
        reply: { channel: CHANNEL, messages: [{ $ref: `#/channels/socket/messages/${event.name}Ack` }] },
      }),
    };
    if ("ack" in event) {
      messages[`${event.name}Ack`] = {
        name: `${event.name} acknowledgement`,
        title: `${event.name} acknowledgement`,
        summary: "What the acknowledgement callback receives: the answer, or the error (also emitted as `error`)",
        payload: { anyOf: [publishedSchema(event.ack), publishedSchema(ErrorBody)] },
      };
    }
  }
  return {
    asyncapi: "3.1.0",
    info: {
      title: "ChatLoop realtime API",
      version: "1",
      description:
        "ChatLoop's Socket.IO events (Socket.IO protocol v5, Engine.IO v4; WebSocket or long-polling). Each operation is one " +
        "event; every client event takes an acknowledgement callback, which receives its reply. The REST API is /openapi.json.",
    },
    defaultContentType: "application/json",
    servers: {
      chatloop: {
        host: "{host}",
        protocol: "ws",
        pathname: "/socket.io/",
        description: "The ChatLoop server this document came from (Socket.IO at /socket.io/)",
        variables: { host: { default: "localhost:3000", description: "Where ChatLoop runs: its host and port" } },
        security: [{ $ref: "#/components/securitySchemes/token" }],
      },
    },
    channels: {
      socket: { address: "/socket.io/", title: "The Socket.IO connection", servers: [{ $ref: "#/servers/chatloop" }], messages },
    },
    operations,
    components: {
      securitySchemes: {
        token: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "A token from POST /auth/login, in the handshake's `auth: { token }` (or Authorization: Bearer, or the browser's session cookie)",
        },
      },
    },
  };
}
