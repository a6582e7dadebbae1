// The only file of src/pop3 that touches sockets: it binds the Pop3Client
// state machine to node:net and node:tls (implicit TLS, STLS upgrade of the
// same socket, an inactivity timeout) and to a MessageStore. The socket is
// paused while a message's bytes are written and while it is committed, so
// memory stays flat however fast the server is, and the next command (DELE
// or RETR) goes out only after the store said the message is on disk.
import net from 'node:net';
import tls from 'node:tls';
import { Pop3Client, type ListedMessage, type Pop3Action, type Pop3ClientOptions, type Pop3Result } from './client.ts';

export interface Pop3ConnectOptions {
  host: string;
  port: number;
  /** Name for SNI and the certificate check (default: host). */
  servername?: string;
  /** PEM CA bundle to trust instead of the system store. */
  ca?: string | Buffer;
  /** Accept any certificate. */
  insecure?: boolean;
  /** Inactivity bound (ms) for connecting, each response and each piece of a message. */
  timeoutMs: number;
  trace?: (dir: 'C' | 'S' | '*', line: string) => void;
}

/** Where retrieved messages go. */
export interface MessageStore {
  begin(m: ListedMessage): Promise<StoredMessage>;
}

export interface StoredMessage {
  write(data: Buffer): Promise<void>;
  /** Durable when this resolves; returns where the message is (a path). */
  commit(): Promise<string>;
  /** Nothing of the message remains. */
  abort(): Promise<void>;
}

export interface SessionHooks {
  listed?(messages: ListedMessage[]): void;
  /** After a message is stored and before DELE may be sent: record it (the UID state). */
  stored?(m: ListedMessage, where: string, size: number): Promise<void>;
  /** Bytes of the current message so far. */
  progress?(m: ListedMessage, bytes: number): void;
}

/** Runs one session; never throws for network or server trouble (the result says it). */
export async function fetchSession(
  conn: Pop3ConnectOptions,
  client: Pop3ClientOptions,
  store: MessageStore,
  hooks: SessionHooks = {},
): Promise<Pop3Result> {
  const trace = conn.trace;
  const machine = new Pop3Client({ ...client, onResponse: trace ? (l) => trace('S', l) : client.onResponse });
  let socket: net.Socket;
  try {
    socket = await openSocket(conn, client.tls === 'implicit');
  } catch (err) {
    return failed(machine, client.tls === 'implicit' && isTlsError(err) ? 'tls' : 'temporary', 'connect', errorText(err));
  }
  trace?.('*', `connected to ${conn.host}:${conn.port}${client.tls === 'implicit' ? ' (TLS)' : ''}`);
  return new Promise<Pop3Result>((resolve) => {
    let finished = false;
    let busy: Promise<void> = Promise.resolve();
    let open: StoredMessage | undefined;
    let current: ListedMessage | undefined;
    let storeError: unknown;
    let bytes = 0;
    const done = (result: Pop3Result): void => {
      if (finished) return;
      finished = true;
      socket.setTimeout(0);
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
      resolve(result);
    };
    const handle = async (actions: Pop3Action[]): Promise<void> => {
      for (const a of actions) {
        if (finished) return;
        switch (a.type) {
          case 'write':
            trace?.('C', a.trace);
            socket.write(a.data);
            break;
          case 'starttls':
            detach(socket);
            try {
              socket = await upgrade(socket, conn);
            } catch (err) {
              for (const x of machine.closed()) if (x.type === 'done') done(withFailure(x.result, 'tls', `TLS: ${errorText(err)}`));
              return;
            }
            trace?.('*', `TLS established (${(socket as tls.TLSSocket).getProtocol?.() ?? 'TLS'})`);
            attach(socket);
            await handle(machine.tlsStarted());
            break;
          case 'listed':
            hooks.listed?.(a.messages);
            break;
          case 'message-start':
            storeError = undefined;
            bytes = 0;
            current = a.message;
            try {
              open = await store.begin(a.message);
            } catch (err) {
              storeError = err;
            }
            break;
          case 'message-data':
            bytes += a.data.length;
            if (current) hooks.progress?.(current, bytes);
            if (open) {
              try {
                await open.write(a.data);
              } catch (err) {
                storeError = err;
                await open.abort().catch(() => {});
                open = undefined;
              }
            }
            break;
          case 'message-end': {
            let ok = false;
            if (open) {
              const m = open;
              open = undefined;
              try {
                const where = await m.commit();
                await hooks.stored?.(a.message, where, bytes);
                ok = true;
              } catch (err) {
                storeError = err;
              }
            }
            await handle(machine.stored(ok, storeError === undefined ? undefined : errorText(storeError)));
            break;
          }
          case 'done':
            if (open) await open.abort().catch(() => {});
            open = undefined;
            return done(a.result);
        }
      }
    };
    const onData = (chunk: Buffer): void => {
      socket.pause();
      busy = busy
        .then(() => handle(machine.push(chunk)))
        .then(() => {
          if (!finished) socket.resume();
        });
    };
    const onClose = (): void => {
      busy = busy.then(() => handle(machine.closed()));
    };
    const onError = (err: Error): void => {
      busy = busy.then(() => {
        if (!finished) for (const x of machine.closed()) if (x.type === 'done') done(withFailure(x.result, 'temporary', errorText(err)));
      });
    };
    const onTimeout = (): void => {
      busy = busy.then(() => {
        if (!finished) for (const x of machine.closed()) if (x.type === 'done') done(withFailure(x.result, 'temporary', `no answer for ${Math.round(conn.timeoutMs / 1000)} s`));
      });
      socket.destroy();
    };
    const attach = (s: net.Socket): void => {
      s.setTimeout(conn.timeoutMs);
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

/** A result whose failure is replaced by a more precise one (the network's reason instead of "connection closed"). */
function withFailure(r: Pop3Result, kind: 'temporary' | 'tls', message: string): Pop3Result {
  if (!r.failure || r.failure.message.startsWith('connection closed')) return { ...r, ok: false, failure: { kind, stage: r.failure?.stage ?? 'network', message } };
  return r;
}

function failed(machine: Pop3Client, kind: 'temporary' | 'tls', stage: string, message: string): Pop3Result {
  return { ok: false, failure: { kind, stage, message }, listed: [], retrieved: 0, deleted: 0, secure: machine.isSecure, capabilities: new Map() };
}

async function openSocket(conn: Pop3ConnectOptions, implicit: boolean): Promise<net.Socket> {
  if (implicit) {
    const s = tls.connect({ host: conn.host, port: conn.port, servername: sni(conn), ca: conn.ca, rejectUnauthorized: !conn.insecure });
    await onceConnected(s, 'secureConnect', conn.timeoutMs);
    return s;
  }
  const s = net.connect({ host: conn.host, port: conn.port });
  await onceConnected(s, 'connect', conn.timeoutMs);
  return s;
}

async function upgrade(socket: net.Socket, conn: Pop3ConnectOptions): Promise<net.Socket> {
  const s = tls.connect({ socket, servername: sni(conn), ca: conn.ca, rejectUnauthorized: !conn.insecure });
  await onceConnected(s, 'secureConnect', conn.timeoutMs);
  return s;
}

function sni(conn: Pop3ConnectOptions): string | undefined {
  const name = conn.servername ?? conn.host;
  return net.isIP(name) ? undefined : name;
}

function onceConnected(s: net.Socket, event: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      s.destroy();
      reject(new Error(`no answer for ${Math.round(timeoutMs / 1000)} s`));
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

function isTlsError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  return /CERT|SELF_SIGNED|UNABLE_TO|HOSTNAME|ERR_TLS|ERR_SSL/.test(code);
}

export function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ECONNREFUSED') return 'connection refused';
  if (e?.code === 'ENOTFOUND') return 'host not found';
  if (e?.code === 'ETIMEDOUT') return 'connection timed out';
  if (e?.code === 'ECONNRESET') return 'connection reset by the server';
  return e?.message ?? String(err);
}
