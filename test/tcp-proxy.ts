// A TCP proxy run as a process of its own (`bun test/tcp-proxy.ts HOST PORT`), so that a
// test can put faults between ChatLoop and PostgreSQL: SIGSTOP freezes it (connections stay
// open, nothing gets through either way, as across a frozen host), SIGCONT thaws it, and
// SIGUSR1 cuts off every connection open at that moment for good, in silence (no close, no
// reset: a partition whose middlebox has forgotten them), while new connections get through.
// Its first line on stdout is `{"port": N}`; it answers SIGUSR1 with `{"cut": N}`.
import { connect, createServer, type Socket } from "node:net";

const [host, port] = process.argv.slice(2);
const open = new Set<{ cut: boolean }>();

const server = createServer((client) => {
  const upstream = connect(Number(port), host);
  const link = { cut: false };
  open.add(link);
  const forward = (from: Socket, to: Socket) => {
    from.on("data", (chunk) => link.cut || to.write(chunk));
    from.on("close", () => link.cut || (open.delete(link), to.destroy()));
    from.on("error", () => {}); // its close follows
  };
  forward(client, upstream);
  forward(upstream, client);
});

process.on("SIGUSR1", () => {
  for (const link of open) link.cut = true;
  console.log(JSON.stringify({ cut: open.size }));
  open.clear();
});

server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ port: (server.address() as { port: number }).port })));
