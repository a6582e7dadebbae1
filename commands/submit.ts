// blaze submit [INPUT] SERVER: hand a message to a submission server
// (RFC 6409; implicit TLS on 465 per RFC 8314, STARTTLS on 587 and elsewhere),
// with AUTH PLAIN/LOGIN. SERVER `-` is a dry run: the client side of the
// dialogue is printed and nothing touches the network.
import { readFileSync, openSync, closeSync, statSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import tty from 'node:tty';
import { Option, type Command } from 'commander';
import { addInputOptions, addTerminalOptions, program } from './_lib/cli.ts';
import { BlazeError, EXIT_NEGATIVE, EXIT_OK, EXIT_TEMPFAIL, describeFsError, usageError } from './_lib/errors.ts';
import { readMessage, inputName } from './_lib/io.ts';
import type { ClientResult, MessageHeader, TlsMode } from '../src/smtp/index.ts';

export default async function submit(argv: string[]): Promise<number> {
  const cmd = addEnvelopeOptions(addInputOptions(addTerminalOptions(program('submit', 'submit a message to a mail submission server'))));
  cmd
    .argument('[input]', 'the message (default stdin)')
    .argument('[server]', 'HOST[:PORT] (465 implicit TLS, otherwise STARTTLS; default port 587), or - for a dry run')
    .option('--user <name>', 'AUTH user name (default: the sender)')
    .option('--password-file <file>', 'read the AUTH password from the first line of FILE')
    .option('-p, --password <password>', 'the AUTH password (visible to other users: prefer --password-file or BLAZE_PASSWORD)')
    .addOption(new Option('--auth <mechanism>', 'AUTH mechanism').choices(['plain', 'login']))
    .addOption(new Option('--tls <mode>', 'TLS: implicit, starttls (required) or none').choices(['implicit', 'starttls', 'none']))
    .option('--ca <file>', 'trust the CA certificates (PEM) in FILE')
    .option('--insecure', 'accept any server certificate (test servers)')
    .option('--timeout <duration>', 'time allowed for each step', '2m');
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts();
  const args = cmd.args;
  if (args.length === 0) throw usageError('missing SERVER (HOST[:PORT], or - for a dry run)');
  const server = args[args.length - 1];
  const input = args.length === 2 ? args[0] : undefined;
  // `blaze submit msg.eml` alone: a file, not a server name, and nothing on stdin.
  if (args.length === 1 && server !== '-' && process.stdin.isTTY && fileSize(server) !== undefined)
    throw usageError(`missing SERVER after ${server} (HOST[:PORT], or - for a dry run)`);
  if (server === '-' && input === '-') throw usageError('the dry run needs the message in a file or on stdin (not both -)');

  const { readMessageHeader, messageChunks, deliver, SmtpClient, DotStuffer } = await import('../src/smtp/index.ts');
  const source = readMessage(input, o.newline)[Symbol.asyncIterator]();
  const head = await readMessageHeader(source);
  if (!head.ok) throw usageError(`${inputName(input)}: ${head.error}`);
  const env = envelope(o as { sender?: string; recipient: string[] }, head.value);
  const hostname: string = o.hostname ?? osHostname();
  const size = input && input !== '-' ? fileSize(input) : undefined;

  const dry = server === '-';
  const [host, port] = dry ? ['-', 587] : parseHostPort(server, 587);
  const tlsMode: TlsMode = o.tls ?? (port === 465 ? 'implicit' : 'starttls');
  let auth: { user: string; password: string; mechanism?: 'PLAIN' | 'LOGIN' } | undefined;
  const password = await findPassword(o, !dry && (o.user !== undefined || o.passwordFile !== undefined));
  if (password !== undefined) {
    auth = { user: o.user ?? env.from, password, mechanism: o.auth ? (o.auth.toUpperCase() as 'PLAIN' | 'LOGIN') : undefined };
  } else if (dry && o.user !== undefined) {
    auth = { user: o.user, password: '', mechanism: o.auth?.toUpperCase() };
  }
  const clientOpts = { hostname, tls: tlsMode, auth, from: env.from, recipients: env.recipients, size };
  const body = () => messageChunks(head.value, source);

  if (dry) {
    // Play the client against an agreeable server and print what it says.
    const out: Buffer[] = [];
    const client = new SmtpClient({ ...clientOpts, tls: tlsMode === 'implicit' ? 'implicit' : tlsMode });
    const ehlo = (): string => {
      const ext = ['dry-run', 'SIZE', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES'];
      if (tlsMode === 'starttls' && !client.isSecure) ext.push('STARTTLS');
      if (auth) ext.push('AUTH PLAIN LOGIN');
      return ext.map((e, i) => `250${i === ext.length - 1 ? ' ' : '-'}${e}\r\n`).join('');
    };
    let pending = client.push(Buffer.from('220 dry-run ESMTP\r\n'));
    let result: ClientResult | undefined;
    while (pending.length && !result) {
      const next: typeof pending = [];
      for (const a of pending) {
        if (a.type === 'write') {
          out.push(Buffer.from(/^AUTH|^<(user|pass)/.test(a.trace) ? a.trace + '\r\n' : a.data));
          const verb = a.data.slice(0, 4).toUpperCase();
          const reply =
            verb === 'EHLO' ? ehlo()
            : verb === 'STAR' ? '220 2.0.0 go ahead\r\n'
            : verb === 'AUTH' && a.trace === 'AUTH LOGIN' ? '334 VXNlcm5hbWU6\r\n'
            : a.trace === '<username>' ? '334 UGFzc3dvcmQ6\r\n'
            : verb === 'AUTH' || a.trace === '<password>' ? '235 2.7.0 ok\r\n'
            : verb === 'DATA' ? '354 go ahead\r\n'
            : verb === 'QUIT' ? '221 2.0.0 bye\r\n'
            : '250 2.0.0 ok\r\n';
          next.push(...client.push(Buffer.from(reply)));
        } else if (a.type === 'starttls') next.push(...client.tlsStarted());
        else if (a.type === 'send-data') {
          const s = new DotStuffer();
          for await (const chunk of body()) out.push(s.push(chunk));
          out.push(s.finish());
          client.dataSent();
          next.push(...client.push(Buffer.from('250 2.0.0 Ok: dry run\r\n')));
        } else if (a.type === 'done') result = a.result;
      }
      pending = next;
    }
    if (!o.quiet) for (const b of out) process.stdout.write(b);
    return result?.ok ? EXIT_OK : exitFor(result);
  }

  const timeoutMs = parseDuration(o.timeout);
  const progress = progressBar(!o.quiet && process.stderr.isTTY === true, size);
  const result = await deliver(
    {
      host,
      port,
      ca: o.ca ? readOrFail(o.ca) : undefined,
      insecure: !!o.insecure,
      timeoutMs,
      trace: o.verbose ? (dir, line) => process.stderr.write(`${dir === '*' ? '*' : dir + ':'} ${line}\n`) : undefined,
      progress: progress.update,
    },
    clientOpts,
    body,
  );
  progress.done();
  return report(result, o.quiet, `${host}:${port}`);
}

// ------------------------------------------------------------ shared with send

/** --sender, -r/--recipient, -h: the envelope flags of submit and send. */
export function addEnvelopeOptions(cmd: Command): Command {
  return cmd
    .option('--sender <address>', 'envelope sender (default: the From address)')
    .option('-r, --recipient <address>', 'envelope recipient (repeatable; default: To, Cc and Bcc)', (v: string, p: string[]) => [...p, v], [])
    .option('-h, --hostname <name>', 'the EHLO name (default: this host name)');
}

export interface EnvelopeChoice {
  from: string;
  recipients: string[];
}

/** The envelope from the flags, or from the message header. */
export function envelope(o: { sender?: string; recipient: string[] }, h: MessageHeader): EnvelopeChoice {
  const from = o.sender ?? (h.from.length > 1 && h.sender.length ? h.sender[0] : h.from[0]);
  if (from === undefined) throw usageError('no sender: the message has no From field (use --sender)');
  const recipients = o.recipient.length ? o.recipient : [...new Set([...h.to, ...h.cc, ...h.bcc])];
  if (!recipients.length) throw usageError('no recipient: the message has no To, Cc or Bcc (use -r)');
  for (const a of [from, ...recipients]) {
    if (/[<>\s]/.test(a) || (a !== '' && !a.includes('@'))) throw usageError(`bad address: ${JSON.stringify(a)}`);
  }
  return { from, recipients };
}

export function parseHostPort(s: string, defaultPort: number): [string, number] {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  let host = s;
  let port = defaultPort;
  if (v6) {
    host = v6[1];
    if (v6[2]) port = Number(v6[2]);
  } else if (s.indexOf(':') !== -1 && s.indexOf(':') === s.lastIndexOf(':')) {
    host = s.slice(0, s.indexOf(':'));
    port = Number(s.slice(s.indexOf(':') + 1));
  }
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) throw usageError(`${s}: expected HOST[:PORT]`);
  return [host, port];
}

export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(s));
  if (!m) throw usageError(`not a duration: ${s} (e.g. 30s, 2m)`);
  return Math.max(1, Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms']));
}

export function readOrFail(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw describeFsError(path, err);
  }
}

/** Exit status of a session: 0 delivered to all, 75 temporary, 1 permanent. */
export function exitFor(r: ClientResult | undefined): number {
  if (!r) return EXIT_TEMPFAIL;
  if (r.ok && r.recipients.every((x) => x.ok)) return EXIT_OK;
  const kinds = [r.failure?.kind, ...r.recipients.filter((x) => !x.ok).map((x) => (x.reply.code >= 500 ? 'permanent' : 'temporary'))];
  return kinds.includes('permanent') || kinds.includes('protocol') ? EXIT_NEGATIVE : EXIT_TEMPFAIL;
}

function report(r: ClientResult, quiet: boolean | undefined, where: string): number {
  const replyText = replyLine;
  for (const x of r.recipients) {
    if (!x.ok && !quiet) process.stderr.write(`blaze: submit: <${x.recipient}>: ${replyText(x.reply)}\n`);
  }
  if (r.ok) {
    if (!quiet) process.stdout.write(`${r.final ? replyText(r.final) : 'accepted'}\n`);
    return exitFor(r);
  }
  const code = exitFor(r);
  if (quiet) return code;
  const why = r.failure?.message ?? 'failed';
  throw new BlazeError(why.startsWith(where) ? why : `${where}: ${why}`, code);
}

/** A reply on one line (the codec's replyText, without loading the codec eagerly). */
export function replyLine(r: { code: number; enhanced?: string; lines: string[] }): string {
  return `${r.code}${r.enhanced ? ' ' + r.enhanced : ''}${r.lines.join(' ') ? ' ' + r.lines.join(' ') : ''}`;
}

function fileSize(path: string): number | undefined {
  try {
    const st = statSync(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

/** The password: --password-file, then BLAZE_PASSWORD, then -p (with a warning), then a prompt on the terminal. */
async function findPassword(o: { passwordFile?: string; password?: string; quiet?: boolean }, needed: boolean): Promise<string | undefined> {
  if (o.passwordFile !== undefined) {
    const text = readOrFail(o.passwordFile).toString('utf8');
    return text.split(/\r?\n/)[0];
  }
  if (process.env.BLAZE_PASSWORD !== undefined) return process.env.BLAZE_PASSWORD;
  if (o.password !== undefined) {
    if (!o.quiet) process.stderr.write('blaze: submit: warning: a password on the command line is visible to other users; use --password-file or BLAZE_PASSWORD\n');
    return o.password;
  }
  if (!needed) return undefined;
  return prompt('Password: ');
}

async function prompt(question: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw usageError('no password: use --password-file FILE or BLAZE_PASSWORD (no terminal to ask on)');
  }
  const input = new tty.ReadStream(fd);
  const output = new tty.WriteStream(fd);
  output.write(question);
  input.setRawMode(true);
  try {
    return await new Promise<string>((resolve, reject) => {
      let pw = '';
      input.on('data', (d: Buffer) => {
        for (const ch of d.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return resolve(pw);
          if (ch === '\u0003' || ch === '\u0004') return reject(usageError('cancelled'));
          if (ch === '\u007f' || ch === '\b') pw = pw.slice(0, -1);
          else pw += ch;
        }
      });
    });
  } finally {
    input.setRawMode(false);
    output.write('\n');
    input.destroy();
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
  }
}

/** A progress bar on stderr for messages over 1 MB, when stderr is a terminal. */
export function progressBar(enabled: boolean, total: number | undefined): { update: (n: number) => void; done: () => void } {
  let last = 0;
  let shown = false;
  const mb = (n: number): string => (n / 1048576).toFixed(1) + ' MB';
  return {
    update(n) {
      if (!enabled || n < 1048576) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      if (total && total > 0) {
        const f = Math.min(1, n / total);
        const w = 30;
        const fill = Math.round(f * w);
        process.stderr.write(`\r[${'#'.repeat(fill)}${' '.repeat(w - fill)}] ${Math.round(f * 100)}% ${mb(n)} / ${mb(total)}`);
      } else process.stderr.write(`\rsent ${mb(n)}`);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
