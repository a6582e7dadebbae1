// For SPF: c-ares (node:dns) refuses to ask about names with characters
// outside host-name syntax (EBADNAME), yet RFC 7208 §7.1 allows any visible
// character in a domain-spec and the RFC 7208 suite checks such names
// (a:foo:bar/baz.example.com, macro-expanded "%20"). This wrapper asks those
// questions itself, over UDP (then TCP when the answer is truncated), with the
// messages of wire.ts. With system.ts and static.ts, one of the I/O files of
// src/dns.
import { createRequire } from 'node:module';
import { decodeDnsResponse, dnsMessageId, encodeDnsQuery, isTruncated } from './wire.ts';
import type { Answer, RRType, Resolver } from './types.ts';

// node:dgram and node:net are loaded at the first raw question (require, not
// import(): the bundle runs in a vm.Script without dynamic import), so the
// commands that import src/dns for other reasons do not pay for them.
const load = createRequire('/');
const dgram = (): typeof import('node:dgram') => load('node:dgram') as typeof import('node:dgram');
const net = (): typeof import('node:net') => load('node:net') as typeof import('node:net');

/** A nameserver to ask: an IP address and a port. */
export interface RawServer {
  host: string;
  port: number;
}

function askUdp<T extends RRType>(server: RawServer, name: string, type: T, timeoutMs: number): Promise<Answer<T>> {
  const id = Math.floor(Math.random() * 0x10000);
  const query = encodeDnsQuery(id, name, type);
  if (!query) return Promise.resolve({ ok: false, type, error: 'nxdomain', message: 'name cannot be encoded' });
  return new Promise((resolve) => {
    const sock = dgram().createSocket(net().isIPv6(server.host) ? 'udp6' : 'udp4');
    const done = (a: Answer<T>) => {
      clearTimeout(timer);
      sock.close();
      resolve(a);
    };
    const timer = setTimeout(() => done({ ok: false, type, error: 'timeout', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
    sock.on('error', (err) => done({ ok: false, type, error: 'timeout', message: err.message }));
    sock.on('message', (msg) => {
      if (dnsMessageId(msg) !== id) return;
      if (isTruncated(msg)) {
        // The answer did not fit: ask again over TCP (RFC 7766), same server, the time left.
        clearTimeout(timer);
        sock.close();
        askTcp(server, query, id, type, timeoutMs).then(resolve);
        return;
      }
      done(decodeDnsResponse(msg, type));
    });
    sock.send(query, server.port, server.host);
  });
}

/** One question over TCP: two-byte length, the query; the answer likewise (RFC 1035 §4.2.2). Bounded in time and size. */
function askTcp<T extends RRType>(server: RawServer, query: Buffer, id: number, type: T, timeoutMs: number): Promise<Answer<T>> {
  return new Promise((resolve) => {
    const sock = net().connect({ host: server.host, port: server.port });
    let got = Buffer.alloc(0);
    let settled = false;
    const done = (a: Answer<T>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(a);
    };
    const timer = setTimeout(() => done({ ok: false, type, error: 'timeout', message: `no TCP answer within ${timeoutMs} ms` }), timeoutMs);
    sock.on('error', (err) => done({ ok: false, type, error: 'timeout', message: err.message }));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length > 65537) return done({ ok: false, type, error: 'servfail', message: 'TCP answer too long' });
      if (got.length < 2 || got.length < 2 + got.readUInt16BE(0)) return;
      const msg = got.subarray(2, 2 + got.readUInt16BE(0));
      if (dnsMessageId(msg) !== id) return done({ ok: false, type, error: 'servfail', message: 'TCP answer to another question' });
      done(decodeDnsResponse(msg, type));
    });
    sock.on('end', () => done({ ok: false, type, error: 'servfail', message: 'TCP connection closed before the answer' }));
  });
}

/**
 * Wraps a resolver: questions it refuses as bad names are sent as raw UDP
 * queries to SERVERS (the same ones it asks: the caller passes the system's
 * list when no nameserver was given).
 */
export function withRawNames(inner: Resolver, servers: readonly RawServer[], timeoutMs: number): Resolver {
  const list = [...servers];
  return {
    async resolve<T extends RRType>(q: { name: string; type: T }): Promise<Answer<T>> {
      const a = await inner.resolve(q);
      if (a.ok || a.error !== 'malformed' || a.message !== 'EBADNAME' || list.length === 0) return a;
      let last: Answer<T> = a;
      for (const s of list) {
        last = await askUdp(s, q.name, q.type, timeoutMs);
        if (last.ok || (last.error !== 'timeout' && last.error !== 'servfail' && last.error !== 'refused')) return last;
      }
      return last;
    },
  };
}
