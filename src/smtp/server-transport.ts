// The server transport: binds the server state machine (server.ts) to
// node:net and node:tls — accept (with a connection limit), implicit TLS or
// a STARTTLS upgrade, command and data timeouts, the message handed to a
// sink chunk by chunk. With client-transport.ts, the only files of src/smtp
// with sockets.
import net from 'node:net';
import tls from 'node:tls';
import { SmtpServer, type ServerOptions, type ServerAction } from './server.ts';
import { SinkDriver, traceClientLines, type MessageSink } from './store.ts';

export interface ListenOptions {
  host: string;
  port: number;
  server: Omit<ServerOptions, 'tlsAvailable' | 'secure'>;
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Implicit TLS on every connection (SMTPS). */
  implicitTls?: boolean;
  maxConnections: number;
  /** Time allowed for a complete command (ms). */
  commandTimeoutMs: number;
  /** Time allowed without any byte while receiving a message (ms). */
  dataTimeoutMs: number;
  sink: (peer: { address: string; port: number }) => MessageSink;
  /** Errors that are not the peer's fault (storage): for the log. */
  onError?: (err: unknown) => void;
  /** Protocol trace (commands and replies; message bytes and AUTH secrets left out). */
  trace?: (peer: string, dir: 'C' | 'S', line: string) => void;
}

export interface RunningServer {
  address: { host: string; port: number };
  /** Stop accepting; abort deliveries in flight; close every connection. */
  close(): Promise<void>;
  /** Stop accepting new connections; the current ones go on. */
  stopAccepting(): void;
  connections(): number;
}

export async function listen(opts: ListenOptions): Promise<RunningServer> {
  const context = opts.tls ? tls.createSecureContext({ key: opts.tls.key, cert: opts.tls.cert }) : undefined;
  const live = new Set<Connection>();
  const onSocket = (socket: net.Socket): void => {
    if (live.size >= opts.maxConnections) {
      socket.on('error', () => {});
      socket.end(SmtpServer.busy(opts.server.hostname));
      setTimeout(() => socket.destroy(), 2000).unref();
      return;
    }
    const c = new Connection(socket, opts, context, () => live.delete(c));
    live.add(c);
    c.start();
  };
  const srv = opts.implicitTls && context ? tls.createServer({ secureContext: context }, onSocket) : net.createServer(onSocket);
  srv.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(opts.port, opts.host, () => {
      srv.off('error', reject);
      resolve();
    });
  });
  const addr = srv.address() as net.AddressInfo;
  return {
    address: { host: addr.address, port: addr.port },
    connections: () => live.size,
    stopAccepting: () => srv.close(),
    async close() {
      srv.close();
      await Promise.all([...live].map((c) => c.abort()));
    },
  };
}

class Connection {
  private machine: SmtpServer;
  private store: SinkDriver;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private upgrading = false;
  private peer: { address: string; port: number };

  constructor(
    private socket: net.Socket,
    private opts: ListenOptions,
    private context: tls.SecureContext | undefined,
    private onGone: () => void,
  ) {
    this.peer = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    this.machine = new SmtpServer({ ...opts.server, tlsAvailable: !!context && !opts.implicitTls, secure: !!opts.implicitTls });
    this.store = new SinkDriver(opts.sink(this.peer), (err) => opts.onError?.(err));
  }

  start(): void {
    this.attach(this.socket);
    this.run(this.machine.greeting());
    this.arm();
  }

  /** Shutdown: drop any message in flight (nothing partial is committed) and close. */
  async abort(): Promise<void> {
    await this.store.abort('shutdown');
    this.finish();
  }

  private attach(s: net.Socket): void {
    s.on('data', this.onData);
    s.on('error', this.onEnd);
    s.on('close', this.onEnd);
  }

  private detach(s: net.Socket): void {
    s.off('data', this.onData);
    s.off('error', this.onEnd);
    s.off('close', this.onEnd);
  }

  private onData = (chunk: Buffer): void => {
    if (this.closed || this.upgrading) return;
    if (this.opts.trace && !this.machine.inData) this.traceIn(chunk);
    if (this.machine.inData) this.arm(); // data timeout: idle time between chunks
    const actions = this.machine.push(chunk);
    this.socket.pause();
    this.run(actions);
  };

  private onEnd = (): void => {
    if (this.closed) return;
    this.chain = this.chain.then(async () => {
      await this.store.abort('connection lost');
      this.finish();
    });
  };

  private traceIn(chunk: Buffer): void {
    for (const l of traceClientLines(chunk, this.machine.state === 'auth')) this.opts.trace!(`${this.peer.address}:${this.peer.port}`, 'C', l);
  }

  /** Command timeout: time for a complete command; data timeout: idle time inside DATA. */
  private arm(): void {
    clearTimeout(this.timer);
    const ms = this.machine.inData ? this.opts.dataTimeoutMs : this.opts.commandTimeoutMs;
    this.timer = setTimeout(() => {
      if (this.closed) return;
      this.chain = this.chain.then(async () => {
        await this.store.abort('timeout');
        await this.apply(this.machine.timeout());
      });
    }, ms);
    this.timer.unref?.();
  }

  private run(actions: ServerAction[]): void {
    this.chain = this.chain
      .then(() => this.apply(actions))
      .then(() => {
        if (!this.closed && !this.upgrading) this.socket.resume();
      })
      .catch((err) => {
        this.opts.onError?.(err);
        this.finish();
      });
  }

  private async apply(actions: ServerAction[]): Promise<void> {
    for (const a of actions) {
      if (this.closed) return;
      switch (a.type) {
        case 'write':
          this.arm();
          this.socket.write(a.data);
          if (this.opts.trace) for (const l of a.data.split('\r\n')) if (l) this.opts.trace(`${this.peer.address}:${this.peer.port}`, 'S', l);
          break;
        case 'close':
          this.closed = true;
          clearTimeout(this.timer);
          this.socket.end();
          setTimeout(() => this.socket.destroy(), 2000).unref();
          this.onGone();
          return;
        case 'starttls':
          await this.upgrade();
          return;
        case 'message-start':
          await this.store.start(a.envelope);
          break;
        case 'message-data':
          await this.store.write(a.data);
          break;
        case 'message-abort':
          await this.store.abort(a.reason);
          break;
        case 'message-end': {
          const r = await this.store.end(a.envelope, a.size);
          await this.apply(this.machine.messageStored(r.ok, r.detail));
          break;
        }
      }
    }
  }

  private async upgrade(): Promise<void> {
    this.upgrading = true;
    const raw = this.socket;
    this.detach(raw);
    raw.pause();
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: this.context });
    this.socket = secure;
    await new Promise<void>((resolve) => {
      const ok = (): void => {
        secure.off('error', bad);
        resolve();
      };
      const bad = (): void => {
        secure.off('secure', ok);
        this.closed = true;
        secure.destroy();
        this.onGone();
        resolve();
      };
      secure.once('secure', ok);
      secure.once('error', bad);
    });
    if (this.closed) return;
    this.upgrading = false;
    this.machine.tlsStarted();
    this.attach(secure);
    this.arm();
    secure.resume();
  }

  private finish(): void {
    if (!this.closed) {
      this.closed = true;
      this.onGone();
    }
    clearTimeout(this.timer);
    this.socket.destroy();
  }
}
