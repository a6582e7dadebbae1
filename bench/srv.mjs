// SMTP receiving: `blaze srv` storing into a Maildir against python3-aiosmtpd
// (its Mailbox handler, a Maildir) and nodemailer's smtp-server (a
// devDependency; a small script writing each message to a Maildir), each
// started fresh for every round, rounds alternating. 50 concurrent clients
// (in this process) send 2,000 messages of 10 KB; messages/s and the
// server's peak RSS (VmHWM). Goal (issue 7): >= 2x aiosmtpd, >= 1.5x smtp-server.
// Then one 100 MB message, `blaze submit` -> `blaze srv`: peak RSS of both
// (goal <= 64 MB).
// Alone: node bench/srv.mjs [--quick] [--reps N]
import { spawn } from 'node:child_process';
import net from 'node:net';
import { createRequire } from 'node:module';
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BLAZE, DATA, NODE, PY, alternate, fmtMB, fmtRate, fmtSecs, median, repsFor, row, runAlone, speedRatio } from './lib.mjs';

const freePort = () =>
  new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });

async function waitPort(port, proc) {
  for (let i = 0; i < 400; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} not listening after 20 s`);
}

const hwmMB = (pid) => {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return NaN;
  }
};

const DOT = Buffer.from('.\r\n');
function message(i, size) {
  const head = `From: bench@example.org\r\nTo: sink@example.net\r\nSubject: bench ${i}\r\nMessage-ID: <${i}@bench>\r\n\r\n`;
  const line = 'The quick brown fox jumps over the lazy dog. 0123456789 abcdefghij\r\n';
  return Buffer.from(head + line.repeat(Math.max(1, Math.round((size - head.length) / line.length))));
}

/** One connection sending `count` messages one after the other (waits for each reply); bounded in time. */
function client(port, count, start, size) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true); // one write per command; Nagle and delayed ACKs would cap every server at ~25 msg/s per client
    const timer = setTimeout(() => (s.destroy(), reject(new Error('client timed out after 120 s'))), 120_000);
    const fail = (e) => (clearTimeout(timer), s.destroy(), reject(e));
    let buf = '';
    let sent = 0;
    let step = 'greet';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const m = /^(\d{3}) .*\r\n/m.exec(buf);
        if (!m) return;
        buf = buf.slice(m.index + m[0].length);
        on(Number(m[1]));
      }
    });
    s.on('error', fail);
    const on = (code) => {
      if (step === 'greet') {
        step = 'ehlo';
        s.write('EHLO bench\r\n');
      } else if (step === 'ehlo' || step === 'sent') {
        if (step === 'sent' && code !== 250) return fail(new Error(`message refused: ${code}`));
        if (sent === count) {
          step = 'quit';
          s.write('QUIT\r\n');
          return;
        }
        step = 'mail';
        s.write('MAIL FROM:<bench@example.org>\r\n');
      } else if (step === 'mail') {
        step = 'rcpt';
        s.write('RCPT TO:<sink@example.net>\r\n');
      } else if (step === 'rcpt') {
        step = 'data';
        s.write('DATA\r\n');
      } else if (step === 'data') {
        if (code !== 354) return fail(new Error(`DATA: ${code}`));
        step = 'sent';
        s.write(Buffer.concat([message(start + sent, size), DOT]));
        sent++;
      } else if (step === 'quit') {
        clearTimeout(timer);
        s.end();
        resolve();
      }
    };
  });
}

async function startServer(cmd, args) {
  const port = await freePort();
  const dir = mkdtempSync(join(DATA, 'srv-'));
  const p = spawn(cmd, args(port, dir), { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  try {
    await waitPort(port, p);
  } catch (e) {
    p.kill('SIGKILL');
    throw new Error(`${cmd}: ${e.message}: ${err.slice(0, 300)}`);
  }
  const stop = async () => {
    if (p.exitCode === null) {
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { port, dir, p, stop };
}

/** One round against one server: messages/s, stored count, peak RSS. */
async function round(cmd, args, { clients, messages, size }) {
  const s = await startServer(cmd, args);
  try {
    const per = Math.ceil(messages / clients);
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: clients }, (_, i) => client(s.port, per, i * per, size)));
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    let stored = NaN;
    try {
      stored = readdirSync(join(s.dir, 'md', 'new')).length;
    } catch {}
    return { rate: (per * clients) / secs, secs, total: per * clients, stored, rss: hwmMB(s.p.pid) };
  } finally {
    await s.stop();
  }
}

function smtpServerScript() {
  let mod;
  try {
    mod = createRequire(import.meta.url).resolve('smtp-server');
  } catch {
    return undefined;
  }
  const script = join(DATA, 'smtp-server-maildir.cjs');
  writeFileSync(
    script,
    `const { SMTPServer } = require(${JSON.stringify(mod)}); const fs = require('fs'), path = require('path'), crypto = require('crypto');
const dir = process.argv[3]; for (const s of ['tmp','new','cur']) fs.mkdirSync(path.join(dir, s), { recursive: true });
new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], maxClients: 1000, logger: false, onData(stream, session, cb) {
  const name = Date.now() + '.' + crypto.randomBytes(8).toString('hex'); const tmp = path.join(dir, 'tmp', name);
  const out = fs.createWriteStream(tmp); stream.pipe(out); out.on('close', () => { fs.renameSync(tmp, path.join(dir, 'new', name)); cb(); });
} }).listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));`,
  );
  return script;
}

export async function run(opts) {
  const load = opts.quick ? { clients: 10, messages: 200, size: 10240 } : { clients: 50, messages: 2000, size: 10240 };
  const reps = repsFor(opts, 5);
  const servers = {
    blaze: () => round(BLAZE, (port, dir) => ['srv', `127.0.0.1:${port}`, '-o', join(dir, 'md'), '-q', '--tls', 'none', '--max-connections', String(load.clients + 10)], load),
    aiosmtpd: () => round(PY, (port, dir) => ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', join(dir, 'md')], load),
  };
  const ss = smtpServerScript();
  if (ss) servers.smtpServer = () => round(NODE, (port, dir) => [ss, String(port), join(dir, 'md')], load);
  const r = await alternate(reps, servers);
  const rate = (k) => median(r[k].map((x) => x.rate));
  const rss = (k) => Math.max(...r[k].map((x) => x.rss));
  const stored = (k) => r[k].every((x) => x.stored === x.total);
  const ours = rate('blaze');
  const desc = `${load.clients} clients, ${load.messages.toLocaleString('en-US')} x ${load.size / 1024} KB`;
  const oursText = `${fmtRate(ours, 'msg/s')}, ${fmtMB(rss('blaze'))} RSS${stored('blaze') ? '' : ' (NOT all stored)'}`;
  const peerText = (k, name) => `${name}: ${fmtRate(rate(k), 'msg/s')}, ${fmtMB(rss(k))} RSS${stored(k) ? '' : ' (NOT all stored)'}`;
  const rows = [
    row(`srv throughput (${desc}) vs aiosmtpd`, oursText, peerText('aiosmtpd', 'aiosmtpd'), speedRatio(1 / ours, 1 / rate('aiosmtpd')), '>= 2x aiosmtpd', ours >= 2 * rate('aiosmtpd') && stored('blaze'), `${reps} alternate round(s), a fresh server and Maildir each; the clients run in the bench process; blaze srv fsyncs each message and new/ (durable delivery), the two peers do not`),
  ];
  if (ss) rows.push(row(`srv throughput (${desc}) vs smtp-server`, oursText, peerText('smtpServer', 'smtp-server'), speedRatio(1 / ours, 1 / rate('smtpServer')), '>= 1.5x smtp-server', ours >= 1.5 * rate('smtpServer') && stored('blaze')));
  else rows.push(row('srv throughput vs smtp-server', oursText, 'smtp-server: not installed (npm ci)', '—', '>= 1.5x smtp-server', null));
  rows.push(...(await big(opts.quick ? 5 : 100)));
  return rows;
}

/** One big message, blaze submit -> blaze srv: seconds and both peak RSS. */
async function big(mb) {
  const s = await startServer(BLAZE, (port, dir) => ['srv', `127.0.0.1:${port}`, '-o', join(dir, 'md'), '-q', '--tls', 'none', '--max-size', `${mb + 10}M`]);
  try {
    const file = join(s.dir, 'big.eml');
    const out = createWriteStream(file);
    out.write('From: big@example.org\r\nTo: sink@example.net\r\nSubject: big\r\n\r\n');
    const block = Buffer.from(`${'x'.repeat(76)}\r\n`.repeat(1024));
    for (let i = 0; i < Math.ceil((mb * 1e6) / block.length); i++) if (!out.write(block)) await new Promise((r) => out.once('drain', r));
    out.end();
    await new Promise((r) => out.once('close', r));
    const t0 = process.hrtime.bigint();
    const sub = spawn('/usr/bin/time', ['-f', '@@TIME %e %M', BLAZE, 'submit', '-q', '--tls', 'none', file, `127.0.0.1:${s.port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    sub.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => sub.kill('SIGKILL'), 120_000);
    const code = await new Promise((r) => sub.once('exit', r));
    clearTimeout(timer);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const m = /@@TIME \S+ (\d+)/.exec(err);
    const subRss = m ? Number(m[1]) / 1024 : NaN;
    const srvRss = hwmMB(s.p.pid);
    let stored = 0;
    try {
      stored = readdirSync(join(s.dir, 'md', 'new')).length;
    } catch {}
    const ok = code === 0 && stored === 1;
    return [
      row(`srv: one ${mb} MB message (blaze submit -> blaze srv)`, `srv ${fmtMB(srvRss)} RSS, ${fmtSecs(secs)}`, '—', '—', 'srv RSS <= 64 MB', ok && srvRss <= 64, ok ? '' : `submit exit ${code}, stored ${stored}: ${err.replace(/@@TIME.*/, '').trim().slice(0, 200)}`),
      row(`submit: one ${mb} MB message`, `submit ${fmtMB(subRss)} RSS`, '—', '—', 'submit RSS <= 64 MB', ok && subRss <= 64),
    ];
  } finally {
    await s.stop();
  }
}

await runAlone(import.meta.url, run);
