// A dry run: the client state machine against an agreeable server played
// here, no socket. `submit -` and `send --mx -` print the client's side of
// the dialogue this gives (AUTH secrets shown as the trace hides them).
import { SmtpClient, type ClientOptions, type ClientResult } from './client.ts';
import { DotStuffer } from './dotstuff.ts';

export interface DryRun {
  /** What the client wrote, in order: commands, then the dot-stuffed message. */
  transcript: Buffer[];
  result?: ClientResult;
}

export async function dryRunDialogue(opts: ClientOptions, body: () => AsyncIterable<Buffer>): Promise<DryRun> {
  const client = new SmtpClient(opts);
  const transcript: Buffer[] = [];
  // The extensions a modern submission server offers (RFC 6409, 3207, 4954, 1870, 6152, 6531, 2034).
  const ehlo = (): string => {
    const ext = ['dry-run', 'SIZE', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES'];
    if (opts.tls !== 'none' && !client.isSecure) ext.push('STARTTLS');
    if (opts.auth) ext.push('AUTH PLAIN LOGIN');
    return ext.map((e, i) => `250${i === ext.length - 1 ? ' ' : '-'}${e}\r\n`).join('');
  };
  let pending = client.push(Buffer.from('220 dry-run ESMTP\r\n'));
  let result: ClientResult | undefined;
  while (pending.length && !result) {
    const next: typeof pending = [];
    for (const a of pending) {
      if (a.type === 'write') {
        transcript.push(Buffer.from(/^AUTH|^<(user|pass)/.test(a.trace) ? a.trace + '\r\n' : a.data));
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
        for await (const chunk of body()) transcript.push(s.push(chunk));
        transcript.push(s.finish());
        client.dataSent();
        next.push(...client.push(Buffer.from('250 2.0.0 Ok: dry run\r\n')));
      } else if (a.type === 'done') result = a.result;
    }
    pending = next;
  }
  return { transcript, result };
}
