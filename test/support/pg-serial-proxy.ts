import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of a PGlite socket server that lets one client connection at a time talk
 * to it, from its first message until PGlite reports ReadyForQuery with status idle ('I': no
 * transaction open). PGlite runs one backend and pglite-socket interleaves connections message
 * by message, so two connections' extended-protocol messages (Parse/Bind/Execute of unnamed
 * statements and portals) would mix; serialising whole exchanges makes several processes with
 * several pooled connections each safe against it. A real PostgreSQL needs none of this.
 *
 * @example
 * const proxy = await startPgSerialProxy(pglitePort);
 * // connect to postgres://postgres@127.0.0.1:${proxy.port}/postgres
 * await proxy.stop();
 */
export interface PgSerialProxy {
  port: number;
  stop(): Promise<void>;
}

interface Link {
  client: Socket;
  upstream: Socket;
  pending: Buffer[];
  /** Bytes of PGlite's replies not yet split into messages. */
  replies: Buffer;
  /** The startup exchange has no type byte; it ends at the first ReadyForQuery. */
  started: boolean;
}

export async function startPgSerialProxy(upstreamPort: number): Promise<PgSerialProxy> {
  let owner: Link | undefined;
  const waiting: Link[] = [];
  const links = new Set<Link>();

  const grant = () => {
    while (!owner && waiting.length > 0) {
      const next = waiting.shift() as Link;
      if (!links.has(next) || next.pending.length === 0) continue;
      owner = next;
      for (const chunk of next.pending.splice(0)) next.upstream.write(chunk);
    }
  };
  const release = (link: Link) => {
    if (owner !== link) return;
    owner = undefined;
    // What the client sent while it held the lock after its last exchange waits its turn again.
    if (link.pending.length > 0) waiting.push(link);
    grant();
  };
  const fromClient = (link: Link, chunk: Buffer) => {
    if (owner === link) {
      link.upstream.write(chunk);
      return;
    }
    link.pending.push(chunk);
    if (!waiting.includes(link)) waiting.push(link);
    grant();
  };
  const fromUpstream = (link: Link, chunk: Buffer) => {
    link.client.write(chunk);
    link.replies = Buffer.concat([link.replies, chunk]);
    // Server messages: a type byte, then an int32 length that counts itself.
    while (link.replies.length >= 5) {
      const length = link.replies.readInt32BE(1);
      if (link.replies.length < 1 + length) break;
      const type = String.fromCharCode(link.replies[0] as number);
      const status = String.fromCharCode(link.replies[5] as number);
      link.replies = link.replies.subarray(1 + length);
      if (type === "Z") {
        link.started = true;
        if (status === "I") release(link);
      }
    }
  };
  const drop = (link: Link) => {
    if (!links.delete(link)) return;
    link.client.destroy();
    link.upstream.destroy();
    release(link);
  };

  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, "127.0.0.1");
    const link: Link = { client, upstream, pending: [], replies: Buffer.alloc(0), started: false };
    links.add(link);
    client.on("data", (chunk: Buffer) => fromClient(link, chunk));
    upstream.on("data", (chunk: Buffer) => fromUpstream(link, chunk));
    for (const s of [client, upstream]) {
      s.on("close", () => drop(link));
      s.on("error", () => drop(link));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    async stop() {
      for (const link of [...links]) drop(link);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
