// blaze send [INPUT]: direct delivery to each recipient domain's MX hosts
// (RFC 5321 §5.1: preference order, implicit MX, RFC 7505 null MX), with
// opportunistic STARTTLS. `--mx HOST[:PORT]` overrides the lookup; `--mx -`
// is a dry run that prints the client side of each dialogue.
import { hostname as osHostname } from 'node:os';
import { Option } from 'commander';
import { addInputOptions, addJsonOption, addTerminalOptions, program, type CommonOptions } from './_lib/cli.ts';
import { EXIT_NEGATIVE, EXIT_OK, EXIT_TEMPFAIL, usageError } from './_lib/errors.ts';
import { inputName, readFileOrFail } from './_lib/io.ts';
import { openReplayable } from './_lib/spool.ts';
import { NewlineNormalizer } from '../src/mime/newline.ts';
import { addDnsOptions, parseCount, parseDuration, parseHostPort, type DnsOptions } from './_lib/flags.ts';
import { resolverFromOptions } from './_lib/resolver.ts';
import { addEnvelopeOptions, envelopeFromFlags, type EnvelopeFlags } from './_lib/envelope.ts';
import type { ClientResult, MessageHeader, Reply, TlsMode } from '../src/smtp/index.ts';

interface SendOptions extends CommonOptions, DnsOptions, EnvelopeFlags {
  mx?: string;
  port: string;
  tls: 'opportunistic' | 'starttls' | 'none';
  ca?: string;
  insecure?: boolean;
  timeout: string;
}

interface Outcome {
  recipient: string;
  ok: boolean;
  kind?: 'temporary' | 'permanent';
  text: string;
  via?: string;
}

export default async function send(argv: string[]): Promise<number> {
  const cmd = addDnsOptions(addJsonOption(addEnvelopeOptions(addInputOptions(addTerminalOptions(program('send', 'deliver a message directly to the MX hosts of its recipients'))))));
  cmd
    .argument('[input]', 'the message (default stdin)')
    .option('--mx <host[:port]>', 'deliver to this host instead of looking up MX records; - for a dry run')
    .option('--port <port>', 'port of the MX hosts', '25')
    .addOption(new Option('--tls <mode>', 'opportunistic (STARTTLS when offered, any certificate), starttls (required, verified), none').choices(['opportunistic', 'starttls', 'none']).default('opportunistic'))
    .option('--ca <file>', 'trust the CA certificates (PEM) in FILE (with --tls starttls)')
    .option('--insecure', 'with --tls starttls: accept any certificate')
    .option('--timeout <duration>', 'time allowed for each step', '2m');
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts<SendOptions>();
  const input: string | undefined = cmd.args[0];
  const port = parseCount(o.port, '--port', { min: 1, max: 65535 });
  const timeoutMs = parseDuration(o.timeout, '--timeout', { positive: true });
  const dry = o.mx === '-';
  const mx = o.mx && !dry ? parseHostPort(o.mx, { defaultPort: 25, flag: '--mx' }) : undefined;
  const tlsMode = o.tls as TlsMode;
  const hostname: string = o.hostname ?? osHostname();

  const smtp = await import('../src/smtp/index.ts');
  const { run } = await import('../src/dns/index.ts');

  // The message is read once per delivery attempt: a file again, stdin from the spool (_lib/spool.ts).
  const message = await openReplayable(input, () => new NewlineNormalizer(o.newline));
  const open = async (): Promise<{ head: MessageHeader; rest: AsyncIterator<Buffer> }> => {
    const it = message.chunks()[Symbol.asyncIterator]();
    const h = await smtp.readMessageHeader(it);
    if (!h.ok) throw usageError(`${inputName(input)}: ${h.line !== undefined ? `line ${h.line}: ` : ''}${h.message}`);
    return { head: h.value, rest: it };
  };

  try {
    const first = await open();
    await first.rest.return?.(undefined);
    const env = envelopeFromFlags(o, first.head);
    const byDomain = new Map<string, string[]>();
    for (const r of env.recipients) {
      const domain = r.slice(r.lastIndexOf('@') + 1).toLowerCase();
      byDomain.set(domain, [...(byDomain.get(domain) ?? []), r]);
    }

    if (dry) {
      for (const [domain, rcpts] of byDomain) {
        if (!o.quiet) process.stdout.write(`; ${domain}: ${rcpts.join(', ')}\n`);
        const { transcript } = await smtp.dryRunDialogue({ hostname, tls: tlsMode, from: env.from, recipients: rcpts }, async function* () {
          const m = await open();
          yield* smtp.messageChunks(m.head, m.rest);
        });
        if (!o.quiet) process.stdout.write(Buffer.concat(transcript).toString('utf8'));
      }
      return EXIT_OK;
    }

    const resolver = mx ? undefined : resolverFromOptions(o);
    const trace = o.verbose ? (dir: string, line: string) => process.stderr.write(`${dir === '*' ? '*' : dir + ':'} ${line}\n`) : undefined;
    const outcomes: Outcome[] = [];
    for (const [domain, rcpts] of byDomain) {
      let targets: Array<{ name: string; address: string; port: number }>;
      if (mx) targets = [{ name: mx.host, address: mx.host, port: mx.port }];
      else {
        const route = await run(smtp.resolveMx(domain), resolver!, trace ? (q, a) => trace('*', `DNS ${q.type} ${q.name}: ${a.ok ? JSON.stringify(a.records) : a.error}`) : undefined);
        if (!route.ok) {
          for (const r of rcpts) outcomes.push({ recipient: r, ok: false, kind: route.error, text: route.message });
          continue;
        }
        targets = route.value.flatMap((h) => h.addresses.map((address) => ({ name: h.name, address, port })));
      }
      let last: ClientResult | undefined;
      let lastVia = '';
      for (const t of targets) {
        const via = `${t.name}${t.name === t.address ? '' : ` [${t.address}]`}:${t.port}`;
        trace?.('*', `trying ${via}`);
        const result = await smtp.deliver(
          {
            host: t.address,
            port: t.port,
            servername: t.name,
            ca: o.ca ? readFileOrFail(o.ca) : undefined,
            insecure: tlsMode === 'opportunistic' || !!o.insecure,
            timeoutMs,
            trace,
          },
          { hostname, tls: tlsMode, from: env.from, recipients: rcpts },
          async function* () {
            const m = await open();
            yield* smtp.messageChunks(m.head, m.rest);
          },
        );
        last = result;
        lastVia = via;
        // Next host only when this one failed temporarily before saying anything about the recipients.
        if (result.ok || result.failure?.kind !== 'temporary' || result.recipients.length) break;
      }
      for (const r of rcpts) outcomes.push(outcomeFor(r, last!, lastVia, smtp.replyText));
    }
    return report(outcomes, o);
  } finally {
    await message.dispose();
  }
}

function outcomeFor(recipient: string, r: ClientResult, via: string, replyLine: (r: Reply) => string): Outcome {
  const rr = r.recipients.find((x) => x.recipient === recipient);
  if (r.ok && rr?.ok) return { recipient, ok: true, text: r.final ? replyLine(r.final) : 'accepted', via };
  if (rr && !rr.ok) return { recipient, ok: false, kind: rr.reply.code >= 500 ? 'permanent' : 'temporary', text: replyLine(rr.reply), via };
  const kind = r.failure?.kind === 'temporary' ? 'temporary' : 'permanent';
  return { recipient, ok: false, kind, text: r.failure?.message ?? 'failed', via };
}

function report(outcomes: Outcome[], o: { json?: boolean; quiet?: boolean }): number {
  if (!o.quiet) {
    if (o.json) {
      process.stdout.write(JSON.stringify({ recipients: outcomes.map((x) => ({ recipient: x.recipient, ok: x.ok, failure: x.kind ?? null, reply: x.text, via: x.via ?? null })) }, null, 2) + '\n');
    } else {
      for (const x of outcomes) {
        const line = x.ok ? `${x.recipient}: sent via ${x.via}: ${x.text}` : `${x.recipient}: ${x.kind} failure${x.via ? ` at ${x.via}` : ''}: ${x.text}`;
        process.stdout.write(line + '\n');
      }
    }
  }
  if (outcomes.every((x) => x.ok)) return EXIT_OK;
  return outcomes.some((x) => x.kind === 'permanent') ? EXIT_NEGATIVE : EXIT_TEMPFAIL;
}
