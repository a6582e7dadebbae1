// The DKIM conformance cases of $BLAZE_CORPUS/dkim, read as they are:
// RFC 8463 Appendix A, dkimpy's data (fixed vectors, sign-then-verify inputs,
// bad key records) and the Mail::DKIM corpus judged with its modern_rfc_flags.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { DkimSigner, verifyDkimMessage, loadPrivateKey, type DkimResult, type DkimVerifyOptions } from '../../src/dkim/index.ts';
import { memoryResolver, type MemoryZone, type Resolver } from '../../src/dns/index.ts';
import { toCRLF } from '../../src/mime/newline.ts';

export interface CaseOutcome {
  id: string;
  ok: boolean;
  detail: string;
}

const summary = (rs: DkimResult[]) => rs.map((r) => `${r.status}${r.reason ? ` (${r.reason})` : ''}`).join('; ') || 'no signature';

async function verifyBytes(msg: Buffer, resolver: Resolver, opts: DkimVerifyOptions = {}): Promise<DkimResult[]> {
  const r = await verifyDkimMessage([msg], resolver, opts);
  if (!r.ok) throw new Error(`line ${r.line}: ${r.message}`);
  return r.value;
}

// ------------------------------------------------------------ RFC 8463

/** `ROOT` is the suite's directory ($BLAZE_CORPUS/dkim/, see test/support/corpus.ts). */
export async function rfc8463Cases(ROOT: string): Promise<CaseOutcome[]> {
  const dir = join(ROOT, 'rfc8463');
  const zone = JSON.parse(readFileSync(join(dir, 'dns.json'), 'utf8')) as MemoryZone;
  const out: CaseOutcome[] = [];
  for (const f of ['signed-relaxed.eml', 'signed-simple.eml']) {
    const rs = await verifyBytes(toCRLF(readFileSync(join(dir, f))), memoryResolver(zone), { now: new Date('2018-06-10T13:38:29Z') });
    for (const [i, a] of ['ed25519-sha256', 'rsa-sha256'].entries()) {
      out.push({ id: `rfc8463/${f}#${i} ${a}`, ok: rs[i]?.status === 'pass' && rs[i]?.algorithm === a, detail: summary(rs) });
    }
  }
  return out;
}

// ------------------------------------------------------------ dkimpy

function dkimpyZone(dir: string, manifest: { dns_records: Record<string, string> }): MemoryZone {
  const zone: MemoryZone = {};
  for (const [name, desc] of Object.entries(manifest.dns_records)) {
    const file = desc.split(/\s/)[0];
    const text = existsSync(join(dir, file)) && !file.includes('=') ? readFileSync(join(dir, file), 'utf8').trim() : desc.split(/\s{2}\(/)[0].trim();
    zone[name] = { TXT: [text] };
  }
  return zone;
}

export async function dkimpyCases(ROOT: string): Promise<CaseOutcome[]> {
  const dir = join(ROOT, 'dkimpy');
  const manifest = JSON.parse(readFileSync(join(dir, 'MANIFEST.json'), 'utf8'));
  const zone = dkimpyZone(dir, manifest);
  const resolver = memoryResolver(zone);
  const out: CaseOutcome[] = [];
  const now = new Date('2024-01-01T00:00:00Z');
  // Fixed verify vectors.
  for (const c of manifest.verify_cases as Array<{ file: string; signatures: Array<{ index: number; expected: string }> }>) {
    const rs = await verifyBytes(toCRLF(readFileSync(join(dir, c.file))), resolver, { now });
    for (const s of c.signatures) {
      const got = rs[s.index]?.status;
      const ok = s.expected === 'pass' ? got === 'pass' : got !== undefined && got !== 'pass';
      out.push({ id: `dkimpy/${c.file}#${s.index} expect ${s.expected}`, ok, detail: summary(rs) });
    }
  }
  // rfc6376.signed.rsa.msg with a corrupted key: a clean permerror.
  {
    const bad = memoryResolver({ ...zone, 'test._domainkey.football.example.com': { TXT: ['k=rsa; p=MFwwDQYJKoZIhvNAQEBBQADSwAwSAJBANmBe10IgY+u7h3enWTukkqtUD5PR52Tb/mPfjC0QJTocVBq6Za/PlzfV+Py92VaCak19F4WrbVTK5Gg5tW220MCAwEAAQ=='] } });
    const rs = await verifyBytes(toCRLF(readFileSync(join(dir, 'rfc6376.signed.rsa.msg'))), bad, { now });
    out.push({ id: 'dkimpy/rfc6376.signed.rsa.msg with corrupted key -> permerror', ok: rs[0]?.status === 'permerror', detail: summary(rs) });
  }
  const rsa = loadPrivateKey(readFileSync(join(dir, 'test.private')));
  const ed = loadPrivateKey(readFileSync(join(dir, 'ed25519test.key'), 'utf8'));
  if (!rsa.ok || !ed.ok) throw new Error('dkimpy keys do not load');
  const signVerify = async (file: string, keyRecord: string, key = rsa.value, canon = { header: 'relaxed' as const, body: 'simple' as const }, fields?: string[]) => {
    const msg = toCRLF(readFileSync(join(dir, file)));
    const s = new DkimSigner({ key, domain: 'example.com', selector: 'test', canon, fields });
    s.push(msg);
    const r = s.finish();
    if (!r.ok) return { signed: undefined, results: [] as DkimResult[], error: r.message };
    const signed = Buffer.concat([Buffer.from(r.value.field, 'latin1'), msg]);
    const res = memoryResolver({ 'test._domainkey.example.com': { TXT: [keyRecord] } });
    return { signed, results: await verifyBytes(signed, res, { now }), error: undefined, res };
  };
  const testTxt = readFileSync(join(dir, 'test.txt'), 'utf8').trim();
  const edTxt = readFileSync(join(dir, 'ed25519test.dns'), 'utf8').trim();
  for (const [file, key, record] of [['test.message', rsa.value, testTxt], ['ed25519test.msg', ed.value, edTxt]] as const) {
    for (const h of ['simple', 'relaxed'] as const) {
      for (const b of ['simple', 'relaxed'] as const) {
        const r = await signVerify(file, record, key, { header: h, body: b } as never);
        out.push({ id: `dkimpy/${file} sign ${h}/${b} then verify -> pass`, ok: r.results[0]?.status === 'pass', detail: r.error ?? summary(r.results) });
        if (r.signed && r.res) {
          const tampered = await verifyBytes(Buffer.concat([r.signed, Buffer.from('foo')]), r.res, { now });
          out.push({ id: `dkimpy/${file} ${h}/${b} body + 'foo' -> fail`, ok: tampered[0]?.status === 'fail', detail: summary(tampered) });
          const s = r.signed.toString('latin1');
          const dup = Buffer.from(s.replace(/\r\nFrom:/i, '\r\nFrom: spoof@example.com\r\nFrom:'), 'latin1');
          const dupR = await verifyBytes(Buffer.from(s.replace(/(\r\nFrom:[^\r]*\r\n)/i, '$1From: spoof@example.com\r\n'), 'latin1'), r.res, { now });
          out.push({ id: `dkimpy/${file} ${h}/${b} extra From below -> fail`, ok: dupR[0]?.status === 'fail', detail: summary(dupR) });
          void dup;
          const xfoo = await verifyBytes(Buffer.concat([Buffer.from('X-Foo: bar\r\n'), r.signed]), r.res, { now });
          out.push({ id: `dkimpy/${file} ${h}/${b} unsigned X-Foo -> pass`, ok: xfoo[0]?.status === 'pass', detail: summary(xfoo) });
        }
      }
    }
  }
  {
    const msg = readFileSync(join(dir, 'message.mbox'), 'latin1').replace(/^From [^\n]*\n/, '');
    const names = [...msg.split(/\r?\n\r?\n/)[0].matchAll(/^([^\s:]+):/gm)].map((m) => m[1]);
    const tmp = toCRLF(msg);
    const s = new DkimSigner({ key: rsa.value, domain: 'example.com', selector: 'test', fields: names });
    s.push(tmp);
    const r = s.finish();
    const rs = r.ok ? await verifyBytes(Buffer.concat([Buffer.from(r.value.field, 'latin1'), tmp]), memoryResolver({ 'test._domainkey.example.com': { TXT: [testTxt] } }), { now }) : [];
    out.push({ id: 'dkimpy/message.mbox all fields (repeated Received) -> pass', ok: rs[0]?.status === 'pass', detail: r.ok ? summary(rs) : r.message });
  }
  {
    const r = await signVerify('test_nofrom.message', testTxt);
    out.push({ id: 'dkimpy/test_nofrom.message: signing refuses', ok: r.error !== undefined && /From/.test(r.error), detail: r.error ?? 'signed' });
    const w = await signVerify('rfc6376.w1258.msg', testTxt);
    out.push({ id: 'dkimpy/rfc6376.w1258.msg: 8-bit body signs and verifies', ok: w.results[0]?.status === 'pass', detail: w.error ?? summary(w.results) });
  }
  // Key records.
  const t2 = loadPrivateKey(readFileSync(join(dir, 'test2.private')));
  if (!t2.ok) throw new Error('test2.private');
  {
    const r = await signVerify('test.message', readFileSync(join(dir, 'test2.txt'), 'utf8').trim(), t2.value);
    out.push({ id: 'dkimpy/test2.txt (no k=) -> pass', ok: r.results[0]?.status === 'pass', detail: summary(r.results) });
  }
  for (const f of ['badversion.txt', 'badk.txt', 'test_bad.txt', 'test_tlsrpt.txt']) {
    const r = await signVerify('test.message', readFileSync(join(dir, f), 'utf8').trim());
    out.push({ id: `dkimpy/${f} -> must not verify`, ok: r.results[0] !== undefined && r.results[0].status !== 'pass', detail: summary(r.results) });
  }
  return out;
}

// ------------------------------------------------------------ Mail::DKIM

interface MailDkimCase {
  file: string;
  expected: 'pass' | 'fail' | 'invalid';
  domainkeys_legacy: boolean;
  modern_rfc_flags: string[];
}

export function mailDkimZone(ROOT: string): MemoryZone {
  const zone: MemoryZone = {};
  for (const line of readFileSync(join(ROOT, 'mail-dkim', 'FAKE_DNS.dat'), 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const m = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, name, value] = m;
    if (value === 'NXDOMAIN') continue;
    if (/^~~.*~~$/.test(value)) zone[name] = /SERVFAIL/i.test(value) ? 'SERVFAIL' : 'TIMEOUT';
    else zone[name] = { TXT: [value === '""' ? '' : value] };
  }
  return zone;
}

/** Mail::DKIM's overall verdict vocabulary: the best signature wins. */
function verdict(rs: DkimResult[]): 'pass' | 'fail' | 'invalid' | 'none' {
  if (rs.length === 0) return 'none';
  if (rs.some((r) => r.status === 'pass')) return 'pass';
  if (rs.some((r) => r.status === 'fail')) return 'fail';
  return 'invalid';
}

/** Flags that make an RFC 6376 + RFC 8301 verifier refuse what Mail::DKIM accepts (g= alone changes nothing). */
const disqualifies = (flag: string) => !flag.startsWith('key record has g=');

export async function mailDkimCases(ROOT: string): Promise<CaseOutcome[]> {
  const dir = join(ROOT, 'mail-dkim');
  const data = JSON.parse(readFileSync(join(dir, 'expectations.json'), 'utf8')) as { cases: MailDkimCase[] };
  const resolver = memoryResolver(mailDkimZone(ROOT));
  const out: CaseOutcome[] = [];
  for (const c of data.cases) {
    const msg = toCRLF(readFileSync(join(dir, c.file)));
    const rs = await verifyBytes(msg, resolver);
    const got = verdict(rs);
    const strict = c.modern_rfc_flags.some(disqualifies);
    // Modern expectation: Mail::DKIM's result unless a flag makes the signature unacceptable.
    const want = c.domainkeys_legacy ? 'none' : strict ? 'not pass' : c.expected;
    const ok = want === 'not pass' ? got !== 'pass' : got === want;
    out.push({ id: `mail-dkim/${c.file.replace('corpus/', '')} expect ${want}`, ok, detail: `${got}: ${summary(rs)}` });
    // The same corpus with RFC 8301 relaxed (sha1 and short keys allowed): where only those
    // flags (and g=) stand in the way, Mail::DKIM's verdict is the reference.
    const onlyWeak = !c.domainkeys_legacy && c.modern_rfc_flags.every((f) => /^rsa-sha1|^key is \d+-bit RSA|^key record has g=/.test(f));
    if (strict && onlyWeak) {
      const lax = await verifyBytes(msg, resolver, { allowSha1: true, allowWeakKeys: true });
      const g = verdict(lax);
      out.push({ id: `mail-dkim/${c.file.replace('corpus/', '')} with --allow-sha1 --allow-weak-keys expect ${c.expected}`, ok: g === c.expected, detail: `${g}: ${summary(lax)}` });
    }
  }
  return out;
}
