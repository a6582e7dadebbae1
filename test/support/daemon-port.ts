// Peers that cannot bind port 0 and tell which port they got (dnsmasq: --port=0
// turns DNS off; exim: no way to report its listening port) are started on a
// port picked by binding 0 and releasing it. Another process may take that port
// in between, so the peer is watched: when it reports the port in use it is
// started again on a new one. Everything of blaze's own (blaze srv, the fake
// DNS server, the test servers) binds port 0 and reads the port back instead.
import net from 'node:net';
import { Resolver } from 'node:dns/promises';
import { execa, type ResultPromise } from 'execa';

/** A port nothing listened on a moment ago (TCP; a DNS peer takes UDP and TCP alike). */
async function candidatePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Daemon {
  port: number;
  proc: ResultPromise;
  stderr: () => string;
}

export interface DaemonSpec {
  /** Starts the peer on `port`. */
  start: (port: number) => ResultPromise;
  /** True once the peer serves on `port` (polled). */
  ready: (port: number) => Promise<boolean>;
  /** What the peer writes when the port is taken. */
  inUse: RegExp;
  what: string;
  /** Bound on the wait for each start (ms). */
  timeout?: number;
}

/** Starts the peer, on another port while it reports the port in use (at most 5 times). */
export async function startOnFreePort(spec: DaemonSpec): Promise<Daemon> {
  let last = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await candidatePort();
    const proc = spec.start(port);
    let err = '';
    proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout?.on('data', (d: Buffer) => (err += d.toString()));
    let exited = false;
    proc.then(
      () => (exited = true),
      () => (exited = true),
    );
    const until = Date.now() + (spec.timeout ?? 15_000);
    for (;;) {
      if (exited) break;
      if (await spec.ready(port)) return { port, proc, stderr: () => err };
      if (Date.now() > until) {
        proc.kill('SIGKILL');
        throw new Error(`${spec.what} did not start on port ${port}: ${err}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    last = err;
    if (!spec.inUse.test(err)) throw new Error(`${spec.what} exited on port ${port}: ${err}`);
  }
  throw new Error(`${spec.what}: the port was taken five times in a row: ${last}`);
}

/** True when a DNS server answers on 127.0.0.1:port (any answer, NXDOMAIN included). */
export async function dnsAnswers(port: number): Promise<boolean> {
  const r = new Resolver({ timeout: 200, tries: 1 });
  r.setServers([`127.0.0.1:${port}`]);
  try {
    await r.resolveTxt('probe.invalid');
    return true;
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === 'ENOTFOUND' || code === 'ENODATA' || code === 'ESERVFAIL' || code === 'EREFUSED';
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** dnsmasq serving `args` (its zone) on 127.0.0.1, in the foreground. */
export function startDnsmasq(args: string[], extra: string[] = []): Promise<Daemon> {
  return startOnFreePort({
    what: 'dnsmasq',
    start: (port) =>
      execa('/usr/sbin/dnsmasq', ['--keep-in-foreground', '--no-resolv', '--no-hosts', '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${port}`, '--user=nobody', ...extra, ...args], {
        reject: false,
        stdin: 'ignore',
      }),
    ready: dnsAnswers,
    inUse: /Address already in use/,
  });
}

/**
 * A port where a connection is refused and that nothing else can take while
 * the test runs: a TCP socket bound to 127.0.0.1 port 0 that never listens
 * (node cannot bind without listening, so a small Python process holds it).
 */
export async function refusingPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const script = "import socket, sys\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\nprint(s.getsockname()[1], flush=True)\nsys.stdin.read()\n";
  const proc = execa('/usr/bin/python3', ['-c', script], { reject: false, stdin: 'pipe' });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    proc.then((r) => reject(new Error(`python3 could not hold a port: ${r.stderr}`)));
  });
  return {
    port,
    release: async () => {
      proc.stdin!.end();
      await proc;
    },
  };
}
