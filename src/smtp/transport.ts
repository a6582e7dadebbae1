// The only file of src/smtp that touches sockets: it binds the client and
// server state machines to node:net and node:tls (implicit TLS, STARTTLS
// upgrade of the same socket, timeouts, back-pressure, connection limit).
import net from 'node:net';
import tls from 'node:tls';
import { SmtpClient, type ClientOptions, type ClientResult } from './client.ts';
import { SmtpServer, type ServerOptions, type ServerAction } from './server.ts';
import { DotStuffer } from './dotstuff.ts';
import { SinkDriver, traceClientLines, type MessageSink } from './store.ts';

// ---------------------------------------------------------------- client

export interface ConnectOptions {
  host: string;
  port: number;
  /** Server name for SNI and certificate checks (default: host). */
  servername?: string;
  /** PEM CA bundle to trust instead of the system store. */
  ca?: string | Buffer;
  /** Accept any certificate (self-signed test servers; opportunistic TLS). */
  insecure?: boolean;
  /** Inactivity bound for each step (ms). */
  timeoutMs: number;
  /** Protocol trace: called with 'C' or 'S' and a line. */
  trace?: (dir: 'C' | 'S' | '*', line: string) => void;
  /** Bytes of the message written so far (for a progress bar). */
  progress?: (bytes: number) => void;
}

/** Runs one client session: connect, dialogue, stream the message, QUIT. Never throws for network trouble. */
export async function deliver(
  opts: ConnectOptions,
  client: ClientOptions,
  message: () => AsyncIterable<Uint8Array>,
): Promise<ClientResult> {
  const machine = new SmtpClient(client);
  let socket: net.Socket;
  try {
    socket = await openSocket(opts, client.tls === 'implicit');
  } catch (err) {
    return networkFailure(machine, 'connect', `${opts.host}:${opts.port}: ${errorText(err)}`);
  }
  const trace = opts.trace;
  if (trace) trace('*', `connected to ${opts.host}:${opts.port}${client.tls === 'implicit' ? ' (TLS)' : ''}`);
  return new Promise<ClientResult>((resolve) => {
    let finished = false;
    let busy: Promise<void> = Promise.resolve();
    const done = (result: ClientResult): void => {
      if (finished) return;
      finished = true;
      socket.setTimeout(0);
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
      resolve(result);
    };
    const fail = (message: string): void => {
      for (const a of machine.closed()) if (a.type === 'done') done(withFailure(a.result, message));
      if (!finished) done({ ok: false, recipients: [], extensions: new Map(), secure: machine.isSecure, failure: { kind: 'temporary', stage: 'network', message } });
    };
    const handle = async (actions: ReturnType<SmtpClient['push']>): Promise<void> => {
      for (const a of actions) {
        if (finished) return;
        if (a.type === 'write') {
          if (trace) for (const l of a.trace.split('\r\n')) trace('C', l);
          socket.write(a.data);
        } else if (a.type === 'starttls') {
          detach(socket);
          try {
            socket = await upgradeClient(socket, opts);
          } catch (err) {
            return fail(`TLS handshake with ${opts.host}: ${errorText(err)}`);
          }
          if (trace) trace('*', `TLS established (${(socket as tls.TLSSocket).getProtocol?.() ?? 'TLS'})`);
          attach(socket);
          await handle(machine.tlsStarted());
        } else if (a.type === 'send-data') {
          try {
            await streamMessage(socket, message(), opts.progress);
          } catch (err) {
            return fail(`sending the message: ${errorText(err)}`);
          }
          if (trace) trace('C', '<message> .');
          await handle(machine.dataSent());
        } else if (a.type === 'done') {
          return done(a.result);
        }
      }
    };
    const onData = (chunk: Buffer): void => {
      if (trace) for (const l of chunk.toString('utf8').split(/\r?\n/)) if (l) trace('S', l);
      const actions = machine.push(chunk);
      busy = busy.then(() => handle(actions));
    };
    const onClose = (): void => {
      busy = busy.then(() => {
        if (!finished) fail('connection closed by the server');
      });
    };
    const onError = (err: Error): void => {
      busy = busy.then(() => fail(`${opts.host}:${opts.port}: ${errorText(err)}`));
    };
    const onTimeout = (): void => {
      busy = busy.then(() => fail(`${opts.host}:${opts.port}: timeout waiting for the server`));
      socket.destroy();
    };
    const attach = (s: net.Socket): void => {
      s.setTimeout(opts.timeoutMs);
      s.on('data', onData);
      s.on('close', onClose);
      s.on('error', onError);
      s.on('timeout', onTimeout);
    };
    const detach = (s: net.Socket): void => {
      s.off('data', onData);
      s.off('close', onClose);
      s.off('error', onError);
      s.off('timeout', onTimeout);
    };
    attach(socket);
  });
}

function withFailure(r: ClientResult, message: string): ClientResult {
  if (r.failure && r.failure.message === 'connection closed by the server') r.failure = { ...r.failure, message };
  return r;
}

function networkFailure(machine: SmtpClient, stage: string, message: string): ClientResult {
  return { ok: false, recipients: [], extensions: new Map(), secure: machine.isSecure, failure: { kind: 'temporary', stage, message } };
}

async function openSocket(opts: ConnectOptions, implicit: boolean): Promise<net.Socket> {
  if (implicit) {
    const s = tls.connect({
      host: opts.host,
      port: opts.port,
      servername: sni(opts),
      ca: opts.ca,
      rejectUnauthorized: !opts.insecure,
      timeout: opts.timeoutMs,
    });
    await onceConnected(s, 'secureConnect', opts.timeoutMs);
    return s;
  }
  const s = net.connect({ host: opts.host, port: opts.port, timeout: opts.timeoutMs });
  await onceConnected(s, 'connect', opts.timeoutMs);
  return s;
}

function sni(opts: ConnectOptions): string | undefined {
  const name = opts.servername ?? opts.host;
  return net.isIP(name) ? undefined : name;
}

async function upgradeClient(socket: net.Socket, opts: ConnectOptions): Promise<net.Socket> {
  const s = tls.connect({ socket, servername: sni(opts), ca: opts.ca, rejectUnauthorized: !opts.insecure });
  await onceConnected(s, 'secureConnect', opts.timeoutMs);
  return s;
}

function onceConnected(s: net.Socket, event: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      s.destroy();
      reject(new Error('timeout'));
    }, timeoutMs);
    const ok = (): void => {
      cleanup();
      resolve();
    };
    const bad = (err: Error): void => {
      cleanup();
      s.destroy();
      reject(err);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      s.off(event, ok);
      s.off('error', bad);
    };
    s.once(event, ok);
    s.once('error', bad);
  });
}

async function streamMessage(socket: net.Socket, body: AsyncIterable<Uint8Array>, progress?: (n: number) => void): Promise<void> {
  const stuffer = new DotStuffer();
  let sent = 0;
  for await (const chunk of body) {
    const out = stuffer.push(chunk);
    sent += chunk.length;
    if (!socket.write(out)) await drained(socket);
    progress?.(sent);
  }
  socket.write(stuffer.finish());
}

function drained(socket: net.Socket): Promise<void> {
  if (socket.destroyed) return Promise.reject(new Error('connection closed'));
  return new Promise((resolve, reject) => {
    const ok = (): void => {
      socket.off('close', gone);
      resolve();
    };
    const gone = (): void => {
      socket.off('drain', ok);
      reject(new Error('connection closed'));
    };
    socket.once('drain', ok);
    socket.once('close', gone);
  });
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ECONNREFUSED') return 'connection refused';
  if (e?.code === 'ENOTFOUND') return 'host not found';
  if (e?.code === 'ETIMEDOUT') return 'connection timed out';
  return e?.message ?? String(err);
}

// ---------------------------------------------------------------- server

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
