// blaze fetch pop3s://user@host[:port]: retrieves the messages of a POP3
// mailbox not fetched before (by UIDL, recorded in a state file) into a
// Maildir, an mbox or files; with --delete, removes each from the server
// only once it is on disk. The protocol is src/pop3 (a sans-IO client and
// its transport); this file maps flags to calls and prints.
import { Option } from 'commander';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { program, addTerminalOptions, type CommonOptions } from './_lib/cli.ts';
import { collect, parseDuration } from './_lib/flags.ts';
import { BlazeError, usageError, describeFsError, EXIT_NEGATIVE, EXIT_TEMPFAIL, EXIT_USAGE } from './_lib/errors.ts';
import { Output } from './_lib/io.ts';
import { obtainPassword } from './_lib/password.ts';
import { progressBar } from './_lib/progress-bar.ts';
import { fetchSession, parsePop3Url, UidState, type AuthMethod, type ListedMessage, type Pop3Result, type Pop3Url, type TlsMode } from '../src/pop3/index.ts';
import { maildirStore, mboxStore, filesStore, type ClosableStore, type NewlineOut } from './_lib/fetch-stores.ts';

interface FetchOptions extends Omit<CommonOptions, 'newline' | 'output'> {
  output?: string;
  mbox?: string;
  format?: string;
  state?: string;
  exclude: string[];
  delete?: boolean;
  user?: string;
  auth?: AuthMethod;
  tls?: TlsMode;
  ca?: string;
  insecure?: boolean;
  passwordFile?: string;
  passwordCommand?: string;
  timeout: string;
  newline: NewlineOut;
}

export default async function fetch(argv: string[]): Promise<number> {
  const cmd = addTerminalOptions(program('fetch', 'retrieve new messages from a POP3 mailbox into a Maildir, an mbox or files'));
  cmd
    .argument('<url>', 'pop3s://user@host[:port] (TLS) or pop3://user@host[:port] (STLS)')
    .option('-o, --output <dir>', 'store into this Maildir (created if absent; default: $BLAZE_MDIR)')
    .option('--mbox <file>', 'append to this mbox (mboxrd, locked)')
    .option('-f, --format <name>', 'one file per message, named from %u (unique id), %n (number), %i (rank)')
    .option('--state <file>', 'the unique ids already fetched (default: ~/.local/state/blaze/fetch/USER@HOST:PORT)')
    .option('--exclude <uid>', 'never fetch this unique id (repeatable)', collect, [] as string[])
    .option('--delete', 'delete each message from the server once it is stored')
    .option('--user <name>', 'the login name (default: the URL\'s)')
    .addOption(new Option('--auth <method>', 'login method (default: the best offered)').choices(['plain', 'user', 'apop']))
    .addOption(new Option('--tls <mode>', 'implicit (pop3s), starttls (pop3), none').choices(['implicit', 'starttls', 'none']))
    .option('--ca <file>', 'trust the CAs in this PEM file instead of the system ones')
    .option('--insecure', 'accept any certificate (test servers)')
    .option('--password-file <file>', 'read the password from the first line of FILE')
    .option('--password-command <cmd>', 'run CMD (sh -c) and read the password from its first line')
    .option('--timeout <duration>', 'give up after this long without an answer', '60s')
    .addOption(new Option('--newline <mode>', 'line ends of stored messages (mbox: always LF)').choices(['keep', 'lf']).default('keep'));
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts() as FetchOptions;
  const parsed = parsePop3Url(cmd.args[0]);
  if (!parsed.ok) throw usageError(parsed.error);
  const url = parsed.url;
  const user = o.user ?? url.user;
  if (!user) throw usageError('no user: give it in the URL (pop3s://user@host) or with --user');
  const dests = [o.output !== undefined, o.mbox !== undefined, o.format !== undefined].filter(Boolean).length;
  if (dests > 1) throw usageError('-o, --mbox and -f exclude each other');
  const maildir = dests === 0 ? process.env.BLAZE_MDIR || undefined : o.output;
  if (dests === 0 && !maildir) throw usageError('no destination: -o MAILDIR, --mbox FILE or -f FORMAT (or set BLAZE_MDIR)');
  const timeoutMs = parseDuration(o.timeout, '--timeout', { positive: true });
  const tls: TlsMode = o.tls ?? (url.secure ? 'implicit' : 'starttls');
  let ca: Buffer | undefined;
  if (o.ca !== undefined) {
    try {
      ca = readFileSync(o.ca);
    } catch (err) {
      throw describeFsError(o.ca, err);
    }
  }
  const password = await obtainPassword(o, `Password for ${user}@${url.host}: `);
  const statePath = o.state ?? defaultStatePath(user, url);
  const exclude = new Set(o.exclude);

  let state: UidState;
  try {
    state = await UidState.open(statePath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') throw new BlazeError(`${statePath}: another fetch is running (${statePath}.lock)`, EXIT_TEMPFAIL);
    throw describeFsError(statePath, err);
  }
  let store: ClosableStore;
  try {
    store = o.mbox !== undefined ? await mboxStore(o.mbox) : o.format !== undefined ? filesStore(o.format, o.newline) : await maildirStore(maildir!, o.newline);
  } catch (err) {
    await state.close();
    if (err instanceof BlazeError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') throw new BlazeError(`${o.mbox}: locked by another writer`, EXIT_TEMPFAIL);
    throw describeFsError(o.mbox ?? maildir ?? o.format ?? '', err);
  }

  const out = new Output();
  const bar = progressBar(!o.quiet, 'count');
  let listed: ListedMessage[] | undefined;
  let wanted = 0;
  let stored = 0;
  let storedBytes = 0;
  const trace = o.verbose ? (dir: string, line: string) => process.stderr.write(`${dir === '*' ? '*' : dir + ':'} ${line}\n`) : undefined;
  let result: Pop3Result;
  try {
    result = await fetchSession(
      { host: url.host, port: url.port, ca, insecure: o.insecure, timeoutMs, trace },
      { user, password, tls, auth: o.auth, delete: o.delete === true, wanted: (uid) => !state.has(uid) && !exclude.has(uid) },
      store,
      {
        listed: (ms) => {
          listed = ms;
          wanted = ms.filter((m) => !state.has(m.uid) && !exclude.has(m.uid)).length;
        },
        progress: (_m, bytes) => bar.update(stored, wanted, `messages (${mb(storedBytes + bytes)})`),
        stored: async (m, where, size) => {
          await state.add(m.uid);
          stored++;
          storedBytes += size;
          bar.update(stored, wanted, `messages (${mb(storedBytes)})`);
          if (!o.quiet) await out.write(`${m.uid}\t${where}\n`);
        },
      },
    );
    // The ids the server no longer has are forgotten (only after a complete listing).
    if (listed) {
      const present = new Set(listed.map((m) => m.uid));
      await state.prune((uid) => present.has(uid));
    }
  } finally {
    bar.done();
    await store.close().catch(() => {});
    await state.close().catch(() => {});
    await out.end();
  }

  const where = `${user}@${url.host}:${url.port}`;
  if (!o.quiet && listed) {
    const old = listed.filter((m) => state.has(m.uid) && !exclude.has(m.uid)).length - stored;
    const parts = [`${stored} new message${stored === 1 ? '' : 's'} stored (${mb(storedBytes)})`];
    if (old > 0) parts.push(`${old} fetched before`);
    const excluded = listed.filter((m) => exclude.has(m.uid)).length;
    if (excluded) parts.push(`${excluded} excluded`);
    if (o.delete) parts.push(`${result.deleted} deleted`);
    process.stderr.write(`blaze: fetch: ${where}: ${parts.join(', ')}\n`);
  }
  if (result.ok) return 0;
  const f = result.failure!;
  const code = f.kind === 'auth' ? EXIT_NEGATIVE : f.kind === 'temporary' || f.kind === 'storage' ? EXIT_TEMPFAIL : EXIT_USAGE;
  const hint = f.kind === 'auth' ? ' (wrong user or password?)' : f.kind === 'tls' && /certificate|self.signed|issuer/i.test(f.message) ? ' (--ca FILE to trust its CA, or --insecure)' : '';
  throw new BlazeError(`${where}: ${f.message}${hint}`, code);
}

function defaultStatePath(user: string, url: Pop3Url): string {
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  const safe = `${user}@${url.host}:${url.port}`.replace(/[/\\\0]/g, (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0'));
  return resolve(base, 'blaze', 'fetch', safe);
}

function mb(n: number): string {
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`;
}
