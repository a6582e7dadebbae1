// blaze srv [ADDRESS]: a throwaway local SMTP receiver. Stores every accepted
// message, with a Received field prepended, into a Maildir (tmp/ -> new/), a
// single file, or an mbox. Never relays: every recipient is accepted for
// local storage only.
import { hostname as osHostname, tmpdir } from 'node:os';
import { mkdtemp, stat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join, dirname, basename, resolve } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { Option } from 'commander';
import { addTerminalOptions, program, type CommonOptions } from './_lib/cli.ts';
import { addDnsOptions, collect, parseCount, parseDuration, parseFieldWord, parseHostPort, parseNow, parseSize, type DnsOptions } from './_lib/flags.ts';
import { resolverFromOptions } from './_lib/resolver.ts';
import { BlazeError, describeFsError, usageError } from './_lib/errors.ts';
import { readFileOrFail } from './_lib/io.ts';
import { safeJson, terminalSafe } from '../src/mime/safe-text.ts';

interface SrvOptions extends CommonOptions, DnsOptions {
  json?: boolean;
  verify?: boolean;
  output?: string;
  mbox?: string;
  once?: boolean;
  maxSize: string;
  tlsCert?: string;
  tlsKey?: string;
  tls?: 'auto' | 'none';
  auth: string[];
  allowInsecureAuth?: boolean;
  hostname?: string;
  timeout: string;
  dataTimeout: string;
  maxConnections: string;
  http?: string;
  httpToken?: string;
  httpBasicAuth?: string;
}

export default async function srv(argv: string[]): Promise<number> {
  const cmd = addDnsOptions(addTerminalOptions(program('srv', 'a throwaway local SMTP receiver storing into a Maildir')));
  cmd
    .option('--json', 'log JSON lines on stderr')
    .option('--verify', 'check SPF (from the session), DKIM and DMARC of each message; prepend Authentication-Results')
    .argument('[address]', 'HOST:PORT, PORT or HOST to listen on', '127.0.0.1:2525')
    .option('-o, --output <path>', 'Maildir directory (created), or a file for one message')
    .option('--mbox <file>', 'append messages to an mbox (mboxrd) file')
    .option('--once', 'stop after the first message')
    .option('--max-size <size>', 'largest message accepted (bytes; k, M, G suffixes)', '25M')
    .option('--tls-cert <file>', 'certificate (PEM) for STARTTLS')
    .option('--tls-key <file>', 'private key (PEM) for STARTTLS')
    .addOption(new Option('--tls <mode>', 'auto: a self-signed certificate made at start').choices(['auto', 'none']))
    .option('--auth <user:pass>', 'require AUTH PLAIN/LOGIN with these credentials (repeatable)', collect, [])
    .option('--allow-insecure-auth', 'offer AUTH without TLS')
    .option('-h, --hostname <name>', 'our name in the greeting and Received fields')
    .option('--timeout <duration>', 'time allowed for a complete command', '5m')
    .option('--data-timeout <duration>', 'idle time allowed while receiving a message', '10m')
    .option('--max-connections <n>', 'concurrent connections (421 beyond)', '100')
    .option('--http <address>', 'also serve the web inbox and its API (blaze web) on HOST:PORT')
    .option('--http-token <token>', 'bearer token for --http (needed off loopback unless --http-basic-auth)')
    .option('--http-basic-auth <file>', 'htpasswd file for --http');
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts<SrvOptions>();
  const { host, port } = parseHostPort(cmd.args[0] ?? '127.0.0.1:2525', { defaultHost: '127.0.0.1', defaultPort: 2525, portOnly: true, allowZero: true });
  const maxSize = parseSize(o.maxSize, '--max-size');
  // Our name goes into the greeting and every Received field: one word, never a CR.
  const hostname: string = o.hostname === undefined ? osHostname() : parseFieldWord(o.hostname, '-h');
  const commandTimeoutMs = parseDuration(o.timeout, '--timeout', { positive: true });
  const dataTimeoutMs = parseDuration(o.dataTimeout, '--data-timeout', { positive: true });
  const maxConnections = parseCount(o.maxConnections, '--max-connections', { min: 1 });
  const credentials = new Map<string, string>();
  for (const a of o.auth) {
    const i = a.indexOf(':');
    if (i <= 0) throw usageError(`--auth: expected user:pass, got ${JSON.stringify(a)}`);
    credentials.set(a.slice(0, i), a.slice(i + 1));
  }
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) throw usageError('--tls-cert and --tls-key go together');

  const { listen, selfSignedCertificate } = await import('../src/smtp/index.ts');
  const { initMaildir, beginDelivery } = await import('../src/maildir/index.ts');
  const { formatReceived } = await import('../src/received/index.ts');
  if (o.now !== undefined) parseNow(o.now); // a bad --now is a usage error now, not at the first message
  const verifier = o.verify ? { ...(await import('./_lib/message-check.ts')), resolver: resolverFromOptions(o) } : undefined;

  let tls: { key: string | Buffer; cert: string | Buffer } | undefined;
  if (o.tlsCert && o.tlsKey) tls = { key: readFileOrFail(o.tlsKey), cert: readFileOrFail(o.tlsCert) };
  else if (o.tls === 'auto') tls = await selfSignedCertificate(hostname);

  // Where messages go.
  type Target = { kind: 'maildir'; dir: string } | { kind: 'file'; path: string } | { kind: 'mbox'; path: string };
  let target: Target;
  let once = !!o.once;
  if (o.mbox && o.output) throw usageError('--mbox and -o are exclusive');
  if (o.mbox) target = { kind: 'mbox', path: resolve(o.mbox) };
  else if (o.output === undefined) target = { kind: 'maildir', dir: await mkdtemp(join(tmpdir(), 'blaze-srv-')) };
  else {
    const st = await stat(o.output).catch(() => undefined);
    const asDir = st?.isDirectory() || o.output.endsWith('/') || (!st && !once);
    if (asDir) target = { kind: 'maildir', dir: resolve(o.output) };
    else {
      target = { kind: 'file', path: resolve(o.output) };
      once = true;
    }
  }
  if (target.kind === 'maildir') {
    try {
      await initMaildir(target.dir);
    } catch (err) {
      throw describeFsError(target.dir, err);
    }
  }

  const log = (fields: Record<string, unknown>, text: string): void => {
    if (o.quiet) return;
    process.stderr.write(o.json ? safeJson(fields, 0) + '\n' : `blaze: srv: ${terminalSafe(text)}\n`);
  };

  let mboxLock: Promise<void> = Promise.resolve();
  let server: Awaited<ReturnType<typeof listen>> | undefined;
  let web: Awaited<ReturnType<typeof import('./_lib/web-server.ts').startWeb>> | undefined;
  let stopping: Promise<void> | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await web?.close();
      await server?.close();
      resolveDone();
    })();
    return stopping;
  };
  let delivered = 0;
  /** --once: no new connections; let the current session say QUIT (bounded), then stop. */
  const stopWhenIdle = async (): Promise<void> => {
    server?.stopAccepting();
    const until = Date.now() + 5000;
    while (server && server.connections() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await stop();
  };

  const sink = (peer: { address: string; port: number }) => {
    let writer: { write(b: Buffer): Promise<void>; commit(): Promise<string>; abort(): Promise<void> } | undefined;
    let check: InstanceType<NonNullable<typeof verifier>['MessageCheck']> | undefined;
    return {
      async start(env: import('../src/smtp/index.ts').Envelope) {
        if (once && delivered > 0) throw new Error('already received the one message');
        const id = randomBytes(6).toString('hex');
        const received = formatReceived({
          from: { helo: env.helo, ip: peer.address.replace(/^::ffff:/, '') },
          by: hostname,
          with: (env.esmtp ? 'ESMTP' : 'SMTP') + (env.secure ? 'S' : '') + (env.user ? 'A' : ''),
          id,
          for: env.recipients.length === 1 ? `<${env.recipients[0]}>` : undefined,
          date: new Date(),
        });
        if (target.kind === 'maildir') {
          const d = await beginDelivery(target.dir, { hostname });
          writer = { write: (b) => d.write(b), commit: async () => join(target.dir, 'new', await d.commit()), abort: () => d.abort() };
        } else {
          writer = await tempWriter(target.kind === 'file' ? target.path : target.path + '.blaze-tmp');
        }
        await writer.write(Buffer.from(received, 'latin1'));
        // --verify: the message is checked as it arrives and written after its Authentication-Results.
        if (verifier) {
          // Each message: the clock at its arrival (or --now), its own pct draw (RFC 7489 §6.6.4).
          const policy = { now: parseNow(o.now), sample: randomInt(100) };
          check = new verifier.MessageCheck(policy, verifier.resolver, { ip: peer.address.replace(/^::ffff:/, ''), from: env.from, helo: env.helo ?? '' }, hostname);
        }
      },
      async write(data: Buffer) {
        if (check) await check.write(data);
        else await writer!.write(data);
      },
      async end(env: import('../src/smtp/index.ts').Envelope, size: number) {
        const w = writer!;
        writer = undefined;
        let authResults = '';
        if (check) {
          const c = check;
          check = undefined;
          try {
            const r = await c.finish();
            if (r.field) await w.write(Buffer.from(r.field, 'utf8'));
            else log({ event: 'verify-error', peer: `${peer.address}:${peer.port}`, error: r.error }, `${peer.address}:${peer.port} not verified: ${r.error}`);
            authResults = r.field ? ` ${r.field.replace(/\r\n[ \t]*/g, ' ').trim()}` : '';
            for await (const chunk of r.message) await w.write(chunk);
          } catch (err) {
            await w.abort();
            throw err;
          } finally {
            await c.dispose();
          }
        }
        let where: string;
        if (target.kind === 'mbox') {
          const tmp = await w.commit();
          const run = mboxLock.then(() => appendMbox(target.path, tmp, env.from));
          mboxLock = run.catch(() => {});
          await run;
          where = target.path;
        } else {
          where = await w.commit();
        }
        delivered++;
        log(
          { event: 'message', peer: `${peer.address}:${peer.port}`, from: env.from, recipients: env.recipients, size, tls: env.secure, user: env.user ?? null, stored: where, ...(authResults ? { authResults: authResults.trim() } : {}) },
          `${peer.address}:${peer.port} from=<${env.from}> to=${env.recipients.map((r) => `<${r}>`).join(',')} size=${size}${env.secure ? ' tls' : ''} -> ${where}`,
        );
        if (once) setImmediate(() => void stopWhenIdle());
        return `queued as ${basename(where)}`;
      },
      async abort(reason: string) {
        const w = writer;
        writer = undefined;
        const c = check;
        check = undefined;
        await c?.abort();
        await w?.abort();
        log({ event: 'abandoned', peer: `${peer.address}:${peer.port}`, reason }, `${peer.address}:${peer.port} message abandoned (${reason})`);
      },
    };
  };

  try {
    server = await listen({
      host,
      port,
      server: {
        hostname,
        maxSize,
        authenticate: credentials.size ? (u, p) => credentials.has(u) && credentials.get(u) === p : undefined,
        allowInsecureAuth: !!o.allowInsecureAuth,
      },
      tls,
      maxConnections,
      commandTimeoutMs,
      dataTimeoutMs,
      sink,
      // The client's lines as sent, but never a raw control character on the terminal.
      trace: o.verbose ? (peer, dir, line) => process.stderr.write(`${peer} ${dir}: ${terminalSafe(line)}\n`) : undefined,
      onError: (err) => log({ event: 'error', error: String((err as Error)?.message ?? err) }, `error: ${(err as Error)?.message ?? err}`),
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BlazeError(`${host}:${port}: ${code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : (err as Error).message}`, 2);
  }
  // --http: the web inbox over the same Maildir (commands/_lib/web-server.ts).
  if (o.http !== undefined) {
    if (target.kind !== 'maildir') throw usageError('--http needs a Maildir (not -o FILE or --mbox)');
    const { startWeb, webUrl } = await import('./_lib/web-server.ts');
    try {
      web = await startWeb({ maildir: target.dir, listen: o.http, token: o.httpToken, basicAuth: o.httpBasicAuth, authservIds: [hostname], flags: { listen: '--http', token: '--http-token', basicAuth: '--http-basic-auth' }, log: (l) => log({ event: 'http-error', error: l }, `http: ${l}`) });
    } catch (err) {
      await server.close();
      throw err;
    }
    log({ event: 'http-listening', url: webUrl(web.address), address: web.address.host, port: web.address.port }, `web inbox on ${webUrl(web.address)}`);
  }
  const where = target.kind === 'maildir' ? target.dir : target.path;
  const shown = server.address.host.includes(':') ? `[${server.address.host}]:${server.address.port}` : `${server.address.host}:${server.address.port}`;
  // The handlers before the line that says we listen: a signal sent as soon
  // as it is read must find them (it killed the process outright before).
  const onSignal = (): void => void stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  log(
    { event: 'listening', address: server.address.host, port: server.address.port, store: target.kind, path: where, tls: !!tls, auth: credentials.size > 0 },
    `listening on ${shown}${tls ? ' (STARTTLS)' : ''}, storing into ${where}${target.kind === 'maildir' ? ' (Maildir)' : target.kind === 'mbox' ? ' (mbox)' : ''}`,
  );
  await done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return 0;
}

/** Writes into a temporary file next to `path`; commit renames it there. */
async function tempWriter(path: string) {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fh: FileHandle | undefined = await open(tmp, 'wx', 0o600);
  const final = path.endsWith('.blaze-tmp') ? tmp : path;
  return {
    async write(b: Buffer) {
      let off = 0;
      while (off < b.length) off += (await fh!.write(b, off, b.length - off)).bytesWritten;
    },
    async commit() {
      await fh!.sync();
      await fh!.close();
      fh = undefined;
      if (final !== tmp) await rename(tmp, final);
      return final;
    },
    async abort() {
      await fh?.close().catch(() => {});
      fh = undefined;
      await unlink(tmp).catch(() => {});
    },
  };
}

/**
 * Appends the spooled message to an mbox with src/mbox's writer (mboxrd: LF
 * line ends, `>` before /^>*From /, an asctime From_ line), under the mbox's
 * dot lock, fsynced, and cut back if it fails half way; then removes the spool.
 */
async function appendMbox(mbox: string, spool: string, from: string): Promise<void> {
  const { MboxAppender } = await import('../src/mbox/append.ts');
  try {
    const a = await MboxAppender.open(mbox);
    try {
      const m = a.begin(from || 'MAILER-DAEMON', Date.now());
      try {
        for await (const chunk of createReadStream(spool, { highWaterMark: 64 * 1024 })) await m.write(chunk as Buffer);
        await m.commit();
      } catch (err) {
        await m.abort().catch(() => {});
        throw err;
      }
    } finally {
      await a.close();
    }
  } finally {
    await unlink(spool).catch(() => {});
  }
}
