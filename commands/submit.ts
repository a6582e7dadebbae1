// blaze submit [INPUT] SERVER: hand a message to a submission server
// (RFC 6409; implicit TLS on 465 per RFC 8314, STARTTLS on 587 and elsewhere),
// with AUTH PLAIN/LOGIN. SERVER `-` is a dry run: the client side of the
// dialogue is printed and nothing touches the network.
import { openSync, closeSync, statSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import tty from 'node:tty';
import { Option } from 'commander';
import { addInputOptions, addTerminalOptions, program, type CommonOptions } from './_lib/cli.ts';
import { BlazeError, EXIT_NEGATIVE, EXIT_OK, EXIT_TEMPFAIL, usageError } from './_lib/errors.ts';
import { readMessage, inputName, readFileOrFail } from './_lib/io.ts';
import { addEnvelopeOptions, envelopeFromFlags, type EnvelopeFlags } from './_lib/envelope.ts';
import { formatHostPort, parseDuration, parseHostPort } from './_lib/flags.ts';
import { progressBar } from './_lib/progress-bar.ts';
import type { ClientResult, TlsMode } from '../src/smtp/index.ts';

interface SubmitOptions extends CommonOptions, EnvelopeFlags {
  user?: string;
  passwordFile?: string;
  password?: string;
  auth?: 'plain' | 'login';
  tls?: 'implicit' | 'starttls' | 'none';
  ca?: string;
  insecure?: boolean;
  timeout: string;
}

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
  const o = cmd.opts<SubmitOptions>();
  const timeoutMs = parseDuration(o.timeout, '--timeout', { positive: true });
  const args = cmd.args;
  if (args.length === 0) throw usageError('missing SERVER (HOST[:PORT], or - for a dry run)');
  const server = args[args.length - 1];
  const input = args.length === 2 ? args[0] : undefined;
  // `blaze submit msg.eml` alone: a file, not a server name, and nothing on stdin.
  if (args.length === 1 && server !== '-' && process.stdin.isTTY && fileSize(server) !== undefined)
    throw usageError(`missing SERVER after ${server} (HOST[:PORT], or - for a dry run)`);
  if (server === '-' && input === '-') throw usageError('the dry run needs the message in a file or on stdin (not both -)');

  const { readMessageHeader, messageChunks, deliver, dryRunDialogue, replyText } = await import('../src/smtp/index.ts');
  const source = readMessage(input, o.newline)[Symbol.asyncIterator]();
  const head = await readMessageHeader(source);
  if (!head.ok) throw usageError(`${inputName(input)}: ${head.line !== undefined ? `line ${head.line}: ` : ''}${head.message}`);
  const env = envelopeFromFlags(o, head.value);
  const hostname: string = o.hostname ?? osHostname();
  const size = input && input !== '-' ? fileSize(input) : undefined;

  const dry = server === '-';
  const { host, port } = dry ? { host: '-', port: 587 } : parseHostPort(server, { defaultPort: 587 });
  const tlsMode: TlsMode = o.tls ?? (port === 465 ? 'implicit' : 'starttls');
  let auth: { user: string; password: string; mechanism?: 'PLAIN' | 'LOGIN' } | undefined;
  const password = await findPassword(o, !dry && (o.user !== undefined || o.passwordFile !== undefined));
  if (password !== undefined) {
    auth = { user: o.user ?? env.from, password, mechanism: o.auth ? (o.auth.toUpperCase() as 'PLAIN' | 'LOGIN') : undefined };
  } else if (dry && o.user !== undefined) {
    auth = { user: o.user, password: '', mechanism: o.auth?.toUpperCase() as 'PLAIN' | 'LOGIN' | undefined };
  }
  const clientOpts = { hostname, tls: tlsMode, auth, from: env.from, recipients: env.recipients, size };
  const body = () => messageChunks(head.value, source);

  if (dry) {
    // Play the client against an agreeable server and print what it says.
    const { transcript, result } = await dryRunDialogue({ ...clientOpts, tls: tlsMode }, body);
    if (!o.quiet) for (const b of transcript) process.stdout.write(b);
    return result?.ok ? EXIT_OK : exitFor(result);
  }

  // Bytes sent, for messages over 1 MB (a smaller one is gone before a bar would help).
  const bar = progressBar(!o.quiet, 'bytes');
  const progress = { update: (n: number) => n >= 1048576 && bar.update(n, size), done: () => bar.done() };
  const result = await deliver(
    {
      host,
      port,
      ca: o.ca ? readFileOrFail(o.ca) : undefined,
      insecure: !!o.insecure,
      timeoutMs,
      trace: o.verbose ? (dir, line) => process.stderr.write(`${dir === '*' ? '*' : dir + ':'} ${line}\n`) : undefined,
      progress: progress.update,
    },
    clientOpts,
    body,
  );
  progress.done();
  // An IPv6 address in brackets, as it was given, not '::1:587'.
  return report(result, o.quiet, formatHostPort({ host, port }), `${host}:${port}`, replyText);
}

/** Exit status of a session: 0 delivered to all, 75 temporary, 1 permanent. */
function exitFor(r: ClientResult | undefined): number {
  if (!r) return EXIT_TEMPFAIL;
  if (r.ok && r.recipients.every((x) => x.ok)) return EXIT_OK;
  const kinds = [r.failure?.kind, ...r.recipients.filter((x) => !x.ok).map((x) => (x.reply.code >= 500 ? 'permanent' : 'temporary'))];
  return kinds.includes('permanent') || kinds.includes('protocol') ? EXIT_NEGATIVE : EXIT_TEMPFAIL;
}

/** `where` names the server in messages; `bare` is host:port as the transport writes it. */
function report(r: ClientResult, quiet: boolean | undefined, where: string, bare: string, replyText: (r: ClientResult['recipients'][number]['reply']) => string): number {
  for (const x of r.recipients) {
    if (!x.ok && !quiet) process.stderr.write(`blaze: submit: <${x.recipient}>: ${replyText(x.reply)}\n`);
  }
  if (r.ok) {
    if (!quiet) process.stdout.write(`${r.final ? replyText(r.final) : 'accepted'}\n`);
    return exitFor(r);
  }
  const code = exitFor(r);
  if (quiet) return code;
  let why = r.failure?.message ?? 'failed';
  for (const prefix of [`${where}: `, `${bare}: `]) if (why.startsWith(prefix)) why = why.slice(prefix.length);
  throw new BlazeError(`${where}: ${why}`, code);
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
    const text = readFileOrFail(o.passwordFile).toString('utf8');
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
  // Raw mode before the prompt shows: keys typed (or pasted) at once are then
  // neither echoed nor turned into signals by the terminal.
  input.setRawMode(true);
  output.write(question);
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
