// A private Dovecot (Debian dovecot-core + dovecot-pop3d) for the POP3
// interop tests: its own directory under the system temp dir, a self-signed
// certificate made with openssl, one user (alice@example.org, mail owned by
// nobody as Dovecot wants a non-system uid), POP3 with STLS and POP3S on
// random high ports (Dovecot cannot be given port 0; a port in use makes it
// exit, and another pair is tried). Stopped by the pid in its master.pid.
import { execa, type ResultPromise } from 'execa';
import { mkdtemp, writeFile, mkdir, chmod, chown, readFile, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

const NOBODY = 65534;

export interface Dovecot {
  dir: string;
  pop3Port: number;
  pop3sPort: number;
  cert: string;
  user: string;
  password: string;
  /** alice's Maildir on the server side. */
  maildir: string;
  /** Puts a message into alice's new/ as a delivery agent would (tmp/ then rename). */
  deliver(name: string, content: string | Buffer): Promise<void>;
  /** The file names in alice's new/ and cur/. */
  stored(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startDovecot(): Promise<Dovecot> {
  const dir = await mkdtemp(join(tmpdir(), 'blaze-dovecot-'));
  await chmod(dir, 0o755); // the mail processes run as nobody
  for (const d of ['ssl', 'dovecot/run', 'dovecot/state', 'mail/alice/Maildir/new', 'mail/alice/Maildir/cur', 'mail/alice/Maildir/tmp']) {
    await mkdir(join(dir, d), { recursive: true });
  }
  const cert = join(dir, 'ssl/cert.pem');
  await execa('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'ssl/key.pem'), '-out', cert, '-days', '30',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  const home = join(dir, 'mail/alice');
  await writeFile(join(dir, 'dovecot/users'), `alice@example.org:{PLAIN}secret:${NOBODY}:${NOBODY}::${home}::\n`);
  await chownTree(join(dir, 'mail'));
  for (let attempt = 0; attempt < 8; attempt++) {
    const pop3Port = 20000 + Math.floor(Math.random() * 40000);
    const pop3sPort = pop3Port + 1;
    await writeFile(join(dir, 'dovecot.conf'), config(dir, pop3Port, pop3sPort));
    const child = execa('dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], { reject: false, stdio: 'ignore' });
    const up = await Promise.race([waitForPorts([pop3Port, pop3sPort], 15_000).then(() => 'up' as const), child.then(() => 'exited' as const)]);
    if (up === 'up') {
      return {
        dir,
        pop3Port,
        pop3sPort,
        cert,
        user: 'alice@example.org',
        password: 'secret',
        maildir: join(home, 'Maildir'),
        async deliver(name, content) {
          const tmp = join(home, 'Maildir/tmp', name);
          await writeFile(tmp, content);
          await chown(tmp, NOBODY, NOBODY);
          await rename(tmp, join(home, 'Maildir/new', name));
        },
        async stored() {
          return [...(await readdir(join(home, 'Maildir/new'))), ...(await readdir(join(home, 'Maildir/cur')))];
        },
        stop: () => stop(dir, child),
      };
    }
    const log = await readFile(join(dir, 'dovecot/dovecot.log'), 'utf8').catch(() => '');
    if (!/Address already in use/.test(log)) throw new Error(`dovecot did not start:\n${log}`);
  }
  throw new Error('dovecot: no free pair of ports after 8 tries');
}

async function stop(dir: string, child: ResultPromise): Promise<void> {
  const pid = Number((await readFile(join(dir, 'dovecot/run/master.pid'), 'utf8').catch(() => '')).trim());
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  const gone = await Promise.race([child.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
  if (!gone && pid > 0) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
    await child;
  }
  await rm(dir, { recursive: true, force: true });
}

async function chownTree(path: string): Promise<void> {
  await chown(path, NOBODY, NOBODY);
  for (const e of await readdir(path, { withFileTypes: true })) {
    if (e.isDirectory()) await chownTree(join(path, e.name));
    else await chown(join(path, e.name), NOBODY, NOBODY);
  }
}

function waitForPorts(ports: number[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const one = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const attempt = (): void => {
        const s = net.connect({ host: '127.0.0.1', port }, () => {
          s.destroy();
          resolve();
        });
        s.on('error', () => {
          s.destroy();
          if (Date.now() > deadline) reject(new Error(`port ${port} never opened`));
          else setTimeout(attempt, 100);
        });
      };
      attempt();
    });
  return Promise.all(ports.map(one)).then(() => undefined);
}

function config(dir: string, pop3: number, pop3s: number): string {
  return `instance_name = blaze-test-${pop3}
base_dir  = ${dir}/dovecot/run
state_dir = ${dir}/dovecot/state
log_path  = ${dir}/dovecot/dovecot.log
listen = 127.0.0.1
protocols = pop3
default_internal_user = dovecot
default_login_user = dovenull
hostname = localhost
ssl = yes
ssl_cert = <${dir}/ssl/cert.pem
ssl_key  = <${dir}/ssl/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login apop
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/dovecot/users
}
userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/dovecot/users
}
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xu%08Xv
service pop3-login {
  inet_listener pop3 {
    port = ${pop3}
  }
  inet_listener pop3s {
    port = ${pop3s}
    ssl = yes
  }
}
`;
}
