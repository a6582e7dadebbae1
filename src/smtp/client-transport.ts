// The client transport: binds the client state machine (client.ts) to
// node:net and node:tls — connect, implicit TLS or a STARTTLS upgrade of the
// same socket, a timeout on every step, back-pressure while the message
// streams. With server-transport.ts, the only files of src/smtp with sockets.
import net from 'node:net';
import tls from 'node:tls';
import { SmtpClient, type ClientOptions, type ClientResult } from './client.ts';
import { DotStuffer } from './dotstuff.ts';

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
