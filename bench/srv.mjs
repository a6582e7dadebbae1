// Throughput and memory of `blaze srv` against python3-aiosmtpd (and
// nodemailer's smtp-server when installed), storing into a Maildir:
//   node bench/srv.mjs [--clients 50] [--messages 2000] [--size 10240] [--big 100]
// Then one large message (--big MB) into blaze srv (peak RSS of srv) sent by
// blaze submit (peak RSS of submit). Peak RSS is VmHWM from /proc.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(process.argv[i + 1]);
};
const CLIENTS = arg('clients', 50);
const MESSAGES = arg('messages', 2000);
const SIZE = arg('size', 10240);
const BIG = arg('big', 100);
const BLAZE = process.env.BLAZE_BIN ?? fileURLToPath(new URL('../bin/blaze', import.meta.url));

const freePort = () =>
  new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
const waitPort = async (port) => {
  for (let i = 0; i < 400; i++) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} not listening`);
};
const hwm = (pid) => {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return NaN;
  }
};
const mb = (n) => (n / 1048576).toFixed(1);

function message(i) {
  const head = `From: bench@example.org\r\nTo: sink@example.net\r\nSubject: bench ${i}\r\nMessage-ID: <${i}@bench>\r\n\r\n`;
  const line = 'The quick brown fox jumps over the lazy dog. 0123456789 abcdefghij\r\n';
  // Whole lines only, so that the terminating dot starts a line.
  return Buffer.from(head + line.repeat(Math.max(1, Math.round((SIZE - head.length) / line.length))));
}

/** One connection sending `count` messages one after the other (waits for each reply). */
function client(port, count, start) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
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
    s.on('error', reject);
    const on = (code) => {
      if (step === 'greet') {
        step = 'ehlo';
        s.write('EHLO bench\r\n');
      } else if (step === 'ehlo' || step === 'sent') {
        if (step === 'sent' && code !== 250) return reject(new Error(`message refused: ${code}`));
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
        if (code !== 354) return reject(new Error(`DATA: ${code}`));
        step = 'sent';
        s.write(message(start + sent));
        s.write('.\r\n');
        sent++;
      } else if (step === 'quit') {
        s.end();
        resolve();
      }
    };
  });
}

async function load(port) {
  const per = Math.ceil(MESSAGES / CLIENTS);
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(port, per, i * per)));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { total: per * CLIENTS, secs };
}

async function server(name, cmd, args, env = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const p = spawn(cmd, args(port, dir), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  await waitPort(port);
  return { name, port, dir, p, err: () => err };
}

const results = [];
async function measure(name, cmd, args, countDir, env) {
  const s = await server(name, cmd, args, env);
  try {
    const { total, secs } = await load(s.port);
    const stored = countDir(s.dir);
    results.push({ server: name, messages: total, stored, seconds: secs.toFixed(2), 'msg/s': Math.round(total / secs), 'peak RSS MB': mb(hwm(s.p.pid)) });
  } finally {
    s.p.kill('SIGTERM');
    await new Promise((r) => s.p.once('exit', r));
    rmSync(s.dir, { recursive: true, force: true });
  }
}

const countNew = (sub) => (dir) => {
  try {
    return readdirSync(join(dir, sub, 'new')).length;
  } catch {
    return NaN;
  }
};

await measure('blaze srv', BLAZE, (port, dir) => ['srv', `127.0.0.1:${port}`, '-o', join(dir, 'md'), '-q', '--max-connections', String(CLIENTS + 10)], countNew('md'));
await measure('aiosmtpd (Mailbox)', '/usr/bin/python3', (port, dir) => ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', join(dir, 'md')], countNew('md'));
let smtpServer;
try {
  smtpServer = createRequire(import.meta.url).resolve('smtp-server');
} catch {
  results.push({ server: 'smtp-server (nodemailer)', messages: 'not installed (devDependency missing)' });
}
if (smtpServer) {
  const script = join(mkdtempSync(join(tmpdir(), 'bench-ss-')), 'ss.cjs');
  writeFileSync(
    script,
    `const { SMTPServer } = require(${JSON.stringify(smtpServer)}); const fs = require('fs'), path = require('path'), crypto = require('crypto');
const dir = process.argv[3]; for (const s of ['tmp','new','cur']) fs.mkdirSync(path.join(dir, s), { recursive: true });
new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], maxClients: 1000, onData(stream, session, cb) {
  const name = Date.now() + '.' + crypto.randomBytes(8).toString('hex'); const tmp = path.join(dir, 'tmp', name);
  const out = fs.createWriteStream(tmp); stream.pipe(out); out.on('close', () => { fs.renameSync(tmp, path.join(dir, 'new', name)); cb(); });
} }).listen(Number(process.argv[2]), '127.0.0.1');`,
  );
  await measure('smtp-server (nodemailer)', process.execPath, (port, dir) => [script, String(port), join(dir, 'md')], countNew('md'));
}
console.log(`\n${CLIENTS} concurrent clients, ${MESSAGES} messages of ${SIZE} bytes, into a Maildir (node ${process.version}):`);
console.table(results);

// One big message: blaze submit -> blaze srv.
{
  const s = await server('big', BLAZE, (port, dir) => ['srv', `127.0.0.1:${port}`, '-o', join(dir, 'md'), '-q', '--max-size', `${BIG + 10}M`]);
  const file = join(s.dir, 'big.eml');
  const out = createWriteStream(file);
  out.write('From: big@example.org\r\nTo: sink@example.net\r\nSubject: big\r\n\r\n');
  const line = Buffer.from('x'.repeat(76) + '\r\n');
  const block = Buffer.concat(Array(1024).fill(line));
  for (let i = 0; i < Math.ceil((BIG * 1048576) / block.length); i++) if (!out.write(block)) await new Promise((r) => out.once('drain', r));
  out.end();
  await new Promise((r) => out.once('close', r));
  const t0 = Date.now();
  const sub = spawn(BLAZE, ['submit', '--tls', 'none', file, `127.0.0.1:${s.port}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  let subPeak = 0;
  const timer = setInterval(() => (subPeak = Math.max(subPeak, hwm(sub.pid) || 0)), 20);
  const code = await new Promise((r) => sub.once('exit', r));
  clearInterval(timer);
  const secs = (Date.now() - t0) / 1000;
  console.log(`\nOne ${BIG} MB message, blaze submit -> blaze srv: exit ${code}, ${secs.toFixed(2)} s, peak RSS srv ${mb(hwm(s.p.pid))} MB, submit ${mb(subPeak)} MB (sampled)`);
  s.p.kill('SIGTERM');
  await new Promise((r) => s.p.once('exit', r));
  rmSync(s.dir, { recursive: true, force: true });
}
