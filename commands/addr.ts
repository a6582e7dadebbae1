// blaze addr: every address of the message's From, Sender, Reply-To, To, Cc,
// Bcc (and -f fields), one mailbox per line, groups expanded.
import { program, addTerminalOptions, addInputOptions, addJsonOption, type CommonOptions } from './_lib/cli.ts';
import { usageError } from './_lib/errors.ts';
import { inputName, Output } from './_lib/io.ts';
import { addressJson, headerFields, rawValue, withCommentName, type HeaderProblem } from './_lib/header-read.ts';
import { addrSpec, flattenAddresses, formatAddress, isGroup, parseAddressList, type Mailbox } from '../src/mime/address.ts';

interface AddrOptions extends CommonOptions {
  field?: string[];
  decode?: boolean;
  withoutName?: boolean;
}

const DEFAULT_FIELDS = ['from', 'sender', 'reply-to', 'to', 'cc', 'bcc'];

export default async function addr(argv: string[]): Promise<number> {
  const cmd = addJsonOption(addInputOptions(addTerminalOptions(program('addr', 'print the addresses of a message, one per line'))));
  cmd
    .argument('[input]', 'the message (default: stdin)')
    .option('-f, --field <name>', 'also read this field (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('-d, --decode', 'decode encoded-words and charsets in display names to UTF-8')
    .option('--without-name', 'print only the address (local@domain)');
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts<AddrOptions>();
  const input = cmd.args[0] as string | undefined;
  const name = inputName(input);
  const extra = (o.field ?? []).map((f) => f.trim().replace(/:$/, '').toLowerCase());
  if (extra.some((f) => f === '' || /[\s:]/.test(f))) throw usageError(`-f: expected a field name, got '${o.field!.join(' ')}'`);
  const fields = new Set([...DEFAULT_FIELDS, ...extra]);
  const decode = Boolean(o.decode || o.json);
  const encoding: BufferEncoding = decode ? 'utf8' : 'latin1';

  const report = (msg: string, always: boolean): void => {
    if (always ? !o.quiet : o.verbose) process.stderr.write(`blaze: addr: ${name}: ${msg}\n`);
  };
  const problem = (p: HeaderProblem): void => {
    if (p.kind === 'too-long') report(`line ${p.line}: field ${p.name || '(unnamed)'} is too long (${p.size} bytes), skipped`, true);
    else report(`line ${p.line}: ${p.reason}`, false);
  };

  // Fields in the order of the list (From, Sender, Reply-To, To, Cc, Bcc, then -f), each
  // field's occurrences in message order: the header is small, so they wait here.
  const order = [...fields];
  const found: Array<Array<{ name: string; line: number; bytes: Buffer }>> = order.map(() => []);
  for await (const f of headerFields(input, o.newline, problem)) {
    const k = order.indexOf(f.name.toLowerCase());
    if (k >= 0) found[k].push({ name: f.name, line: f.line, bytes: rawValue(f.raw) });
  }

  const out = new Output();
  const records: Array<Record<string, unknown>> = [];
  for (const f of found.flat()) {
    const r = parseAddressList(f.bytes.toString('latin1'), { decode, binary: decode });
    if (!r.ok) report(`line ${f.line}: ${f.name}: ${r.error}`, false);
    // A word without '@' (a broken element, `undisclosed-recipients`) is not an address.
    const list = r.addresses
      .map((a) => (isGroup(a) ? { ...a, mailboxes: a.mailboxes.filter(hasDomain) } : a))
      .filter((a) => isGroup(a) || hasDomain(a));
    if (o.json) {
      for (const a of list) records.push({ field: f.name, ...addressJson(a) });
      continue;
    }
    if (o.quiet) continue;
    let lines = '';
    for (const m of flattenAddresses(list)) {
      lines += (o.withoutName ? addrSpec(m) : formatAddress(withCommentName(m, decode))) + '\n';
    }
    if (lines) await out.write(Buffer.from(lines, encoding));
  }
  if (o.json && !o.quiet) await out.write(JSON.stringify({ input: name, addresses: records }, null, 2) + '\n');
  await out.end();
  return 0;
}

function hasDomain(m: Mailbox): boolean {
  return m.domain !== '';
}
