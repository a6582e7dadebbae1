// blaze web MAILDIR: the web inbox and its HTTP API (/api/v1) over any
// Maildir, following it live. Loopback only unless --token or --basic-auth.
import { program, addTerminalOptions } from './_lib/cli.ts';
import { usageError } from './_lib/errors.ts';
import { startWeb, webUrl } from './_lib/web-server.ts';

export default async function web(argv: string[]): Promise<number> {
  const cmd = addTerminalOptions(program('web', 'a web inbox and HTTP API over a Maildir'));
  cmd
    .argument('<maildir>', 'the Maildir to show (tmp/, new/, cur/)')
    .option('-l, --listen <address>', 'HOST:PORT, [IPv6]:PORT or PORT to listen on', '127.0.0.1:8025')
    .option('--token <token>', 'require this bearer token (also BLAZE_WEB_TOKEN); needed off loopback unless --basic-auth')
    .option('--basic-auth <file>', 'require HTTP Basic credentials from an htpasswd file (bcrypt or {SHA})')
    .option('--authserv-id <id>', 'trust Authentication-Results from this authserv-id (repeatable; default: this host name)', (v: string, p: string[]) => [...p, v], [] as string[])
    .option('--json', 'log JSON lines on stderr');
  await cmd.parseAsync(argv, { from: 'user' });
  const o = cmd.opts();
  const dir = cmd.args[0];
  const { isMaildir } = await import('../src/maildir/index.ts');
  if (!(await isMaildir(dir))) throw usageError(`${dir}: not a maildir (no tmp/, new/ and cur/; see blaze mdir init)`);
  const log = (line: string): void => {
    if (!o.quiet) process.stderr.write(o.json ? JSON.stringify({ event: 'error', error: line }) + '\n' : `blaze: web: ${line}\n`);
  };
  const server = await startWeb({
    maildir: dir,
    listen: o.listen,
    token: o.token,
    basicAuth: o.basicAuth,
    authservIds: o.authservId,
    flags: { listen: '--listen', token: '--token', basicAuth: '--basic-auth' },
    log,
  });
  if (!o.quiet) {
    const url = webUrl(server.address);
    process.stderr.write(o.json ? JSON.stringify({ event: 'listening', url, address: server.address.host, port: server.address.port, maildir: dir, messages: server.inbox.size }) + '\n' : `blaze: web: listening on ${url} (${server.inbox.size} messages in ${dir})\n`);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
