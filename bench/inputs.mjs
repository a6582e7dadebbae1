// Generated inputs under bench/.data (gitignored), made once and reused when
// a file of about the right size is already there.
import { existsSync, openSync, writeSync, closeSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { BLAZE, DATA, ROOT, log } from './lib.mjs';

const ATTACHMENTS = 4;
const near = (path, bytes) => existsSync(path) && Math.abs(statSync(path).size - bytes) <= bytes * 0.1;

/** "4KB", "100KB", "10MB", "1GB" -> bytes (decimal units, as the sizes are nominal). */
export function parseSize(label) {
  const m = /^(\d+)(KB|MB|GB)$/.exec(label);
  if (!m) throw new Error(`size ${label}`);
  return Number(m[1]) * { KB: 1e3, MB: 1e6, GB: 1e9 }[m[2]];
}

/**
 * A multipart/mixed message of about `label` bytes: a few header fields, a
 * text part, then four base64 attachments of random bytes in 76-column lines.
 * This is what descr, hdr and the start-up runs read.
 */
export function mimeMessage(label) {
  const bytes = parseSize(label);
  const path = join(DATA, `msg-${label}.eml`);
  if (near(path, bytes)) return path;
  const t0 = Date.now();
  const fd = openSync(path, 'w');
  let written = 0;
  const w = (s) => (written += writeSync(fd, typeof s === 'string' ? Buffer.from(s) : s));
  w('From: Bench Sender <bench@example.org>\r\nTo: You <you@example.org>\r\nCc: =?utf-8?q?J=C3=BCrgen?= <j@example.net>\r\n');
  w('Subject: =?utf-8?b?QmVuY2ggbWVzc2FnZSDinIU=?=\r\nDate: Tue, 02 Jan 2024 10:00:00 +0000\r\nMessage-ID: <bench@example.org>\r\n');
  w('MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="=_bench_boundary"\r\n\r\n');
  w('--=_bench_boundary\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello, this is the text part.\r\n');
  const headOf = (a) => `--=_bench_boundary\r\nContent-Type: application/octet-stream; name="part${a}.bin"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="part${a}.bin"\r\n\r\n`;
  const tail = '--=_bench_boundary--\r\n';
  const room = Math.max(0, bytes - written - tail.length - ATTACHMENTS * headOf(0).length);
  // 57 raw bytes make one 76-column line of 78 bytes with its CRLF.
  const linesPer = Math.max(1, Math.floor(room / ATTACHMENTS / 78));
  const block = randomBytes(57 * 18000);
  for (let a = 0; a < ATTACHMENTS; a++) {
    w(headOf(a));
    for (let left = linesPer; left > 0; ) {
      const n = Math.min(left, 18000);
      block[(a * 7919 + left) % block.length] ^= 0xff; // not the same block over and over
      w(block.subarray(0, n * 57).toString('base64').replace(/.{76}/g, '$&\r\n'));
      left -= n;
    }
  }
  w(tail);
  closeSync(fd);
  if (bytes >= 1e8) log(`  made ${path} (${Math.round(written / 1e6)} MB) in ${Date.now() - t0} ms`);
  return path;
}

/** A file of `mb` MiB of random bytes (the content of `blaze put`). */
export function randomFile(mb) {
  const path = join(DATA, `put-${mb}MB.bin`);
  if (existsSync(path) && statSync(path).size === mb * 1024 * 1024) return path;
  const fd = openSync(path, 'w');
  const block = randomBytes(1024 * 1024);
  for (let i = 0; i < mb; i++) {
    block[i % block.length] ^= 0xff;
    writeSync(fd, block);
  }
  closeSync(fd);
  return path;
}

/** A one-part multipart message that `blaze put` appends to. */
export function multipartShell() {
  const path = join(DATA, 'put-multipart.eml');
  writeFileSync(path, 'Subject: bench\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n--B--\r\n');
  return path;
}

/** `src` signed by `blaze dkim sign` (rsa-sha256, 2048-bit fixture key, d=example.org s=rsa) with canonicalisation `c`. */
export function signedCopy(src, name, c = 'relaxed') {
  const path = join(DATA, name);
  if (existsSync(path) && statSync(path).size > statSync(src).size) return path;
  const r = spawnSync('sh', ['-c', `${BLAZE} dkim sign -s rsa -d example.org -k ${FIXTURES}/rsa.pem -c ${c} ${src} > ${path}.tmp && mv ${path}.tmp ${path}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dkim sign ${src}: ${r.stderr}`);
  return path;
}

/** Arguments that make `blaze dkim verify` answer key questions from the fixture zone, with no network. */
export const DNS_ARGS = `--dns-static ${join(ROOT, 'fixtures/dkim/dns')} --offline`;
export const FIXTURES = join(ROOT, 'fixtures/dkim');
