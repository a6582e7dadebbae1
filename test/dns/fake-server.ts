// A tiny authoritative DNS server for tests (UDP + TCP on 127.0.0.1, one random
// port): answers TXT/A from a table, NXDOMAIN for unknown names, SERVFAIL or
// silence on request, and can truncate every UDP answer to force TCP.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface FakeZone {
  [name: string]: { TXT?: string[][]; A?: string[] } | 'SERVFAIL' | 'DROP';
}

export interface FakeDns {
  port: number;
  address: string;
  udpQueries: number;
  tcpQueries: number;
  close(): Promise<void>;
}

function readName(msg: Buffer, off: number): [string, number] {
  const labels: string[] = [];
  while (msg[off] !== 0) {
    const len = msg[off];
    labels.push(msg.subarray(off + 1, off + 1 + len).toString('latin1'));
    off += len + 1;
  }
  return [labels.join('.'), off + 1];
}

function encodeName(name: string): Buffer {
  const parts = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

/** Builds the reply to a query, or undefined to stay silent. */
function reply(query: Buffer, zone: FakeZone, truncate: boolean): Buffer | undefined {
  const id = query.readUInt16BE(0);
  const [name, off] = readName(query, 12);
  const qtype = query.readUInt16BE(off);
  const question = query.subarray(12, off + 4);
  const entry = zone[name.toLowerCase()];
  if (entry === 'DROP') return undefined;
  let rcode = 0;
  const answers: Buffer[] = [];
  if (entry === undefined) rcode = 3;
  else if (entry === 'SERVFAIL') rcode = 2;
  else if (qtype === 16) {
    for (const strings of entry.TXT ?? []) {
      const rdata = Buffer.concat(strings.map((s) => Buffer.concat([Buffer.from([Buffer.byteLength(s, 'latin1')]), Buffer.from(s, 'latin1')])));
      answers.push(rr(qtype, rdata));
    }
  } else if (qtype === 1) {
    for (const a of entry.A ?? []) answers.push(rr(qtype, Buffer.from(a.split('.').map(Number))));
  }
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x8400 | (truncate ? 0x0200 : 0) | rcode, 2); // QR, AA, (TC), RCODE
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(truncate ? 0 : answers.length, 6);
  return Buffer.concat([header, question, ...(truncate ? [] : answers)]);
}

function rr(type: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2);
  fixed.writeUInt32BE(60, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([Buffer.from([0xc0, 0x0c]), fixed, rdata]);
}

export async function startFakeDns(zone: FakeZone, opts: { truncateUdp?: boolean } = {}): Promise<FakeDns> {
  const lower: FakeZone = Object.fromEntries(Object.entries(zone).map(([k, v]) => [k.toLowerCase(), v]));
  const tcp: Server = createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const q = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + q.length);
        state.tcpQueries++;
        const r = reply(q, lower, false);
        if (r) {
          const len = Buffer.alloc(2);
          len.writeUInt16BE(r.length);
          sock.write(Buffer.concat([len, r]));
        }
      }
    });
    sock.on('error', () => {});
  });
  await new Promise<void>((res) => tcp.listen(0, '127.0.0.1', res));
  const port = (tcp.address() as AddressInfo).port;
  const udp: Socket = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    state.udpQueries++;
    const r = reply(msg, lower, opts.truncateUdp === true);
    if (r) udp.send(r, rinfo.port, rinfo.address);
  });
  await new Promise<void>((res, rej) => {
    udp.once('error', rej);
    udp.bind(port, '127.0.0.1', () => res());
  });
  const state: FakeDns = {
    port,
    address: `127.0.0.1:${port}`,
    udpQueries: 0,
    tcpQueries: 0,
    close: async () => {
      udp.close();
      await new Promise<void>((res) => tcp.close(() => res()));
    },
  };
  return state;
}
