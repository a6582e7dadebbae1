// Interop with the Maildir readers and writers of Debian: mblaze (mlist,
// mshow, mflag, mdeliver) and Python's mailbox.Maildir. A missing peer is a
// failure, not a skip.
import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readdir, readFile, access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const SIMPLE = fileURLToPath(new URL('../../fixtures/maildir/simple.eml', import.meta.url));
const PYTHON = '/usr/bin/python3';
const PEERS = ['/usr/bin/mlist', '/usr/bin/mshow', '/usr/bin/mflag', '/usr/bin/mdeliver', PYTHON];

const run = (cmd: string, args: string[], opts: Record<string, unknown> = {}) => execa(cmd, args, { reject: false, ...opts });
const blaze = (args: string[], opts: Record<string, unknown> = {}) => run(BLAZE, args, { env: { BLAZE_MDIR: '' }, ...opts });

async function fresh(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'blaze-interop-')), 'Maildir');
  expect((await blaze(['mdir', 'init', '-D', dir])).exitCode).toBe(0);
  return dir;
}

/** Python's view of a maildir: one JSON record per message. */
async function pythonList(dir: string) {
  const script = `
import mailbox, json, sys
md = mailbox.Maildir(sys.argv[1], factory=None, create=False)
out = []
for key in sorted(md.keys()):
    m = md[key]
    out.append({"key": key, "subdir": m.get_subdir(), "flags": m.get_flags(), "subject": m["subject"], "from": m["from"], "body": m.get_payload()})
print(json.dumps(out))
`;
  const r = await run(PYTHON, ['-c', script, dir]);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout) as Array<{ key: string; subdir: string; flags: string; subject: string; from: string; body: string }>;
}

beforeAll(async () => {
  for (const peer of PEERS) await access(peer, constants.X_OK); // throws (fails the suite) when a peer is missing
});

describe('blaze mdir -> mblaze and Python', () => {
  it('mlist and mshow read what blaze mdir put delivered', async () => {
    const dir = await fresh();
    const name = (await blaze(['mdir', 'put', '-D', dir, SIMPLE])).stdout;
    const l = await run('mlist', [dir]);
    expect(l.exitCode).toBe(0);
    expect(l.stdout).toBe(join(dir, 'new', name));
    const s = await run('mshow', [l.stdout]);
    expect(s.exitCode).toBe(0);
    expect(s.stdout).toContain('From: Alice <alice@example.org>');
    expect(s.stdout).toContain('Subject: Lunch on Thursday?');
    expect(s.stdout).toContain('Shall we meet at noon?');
  });

  it('Python mailbox.Maildir reads it, with the flags blaze set', async () => {
    const dir = await fresh();
    const name = (await blaze(['mdir', 'put', '-D', dir, SIMPLE])).stdout;
    let py = await pythonList(dir);
    expect(py).toHaveLength(1);
    expect(py[0]).toMatchObject({ key: name, subdir: 'new', flags: '', subject: 'Lunch on Thursday?', from: 'Alice <alice@example.org>' });
    expect(py[0].body.replace(/\r\n/g, '\n')).toBe('Shall we meet at noon?\n');
    expect((await blaze(['mdir', 'commit', '-D', dir, '--seen', name])).exitCode).toBe(0);
    expect((await blaze(['mdir', 'flag', '-D', dir, name, '+F'])).exitCode).toBe(0);
    py = await pythonList(dir);
    expect(py[0]).toMatchObject({ key: name, subdir: 'cur', flags: 'FS' });
  });

  it('mblaze sees the flags blaze set (mlist -S / -F filters)', async () => {
    const dir = await fresh();
    const a = (await blaze(['mdir', 'put', '-D', dir, SIMPLE])).stdout;
    const b = (await blaze(['mdir', 'put', '-D', dir, SIMPLE])).stdout;
    await blaze(['mdir', 'commit', '-D', dir, a, '--seen', '--flagged']);
    await blaze(['mdir', 'commit', '-D', dir, b]);
    expect((await run('mlist', ['-S', dir])).stdout).toBe(join(dir, 'cur', `${a}:2,FS`));
    expect((await run('mlist', ['-F', dir])).stdout).toBe(join(dir, 'cur', `${a}:2,FS`));
    expect((await run('mlist', ['-s', dir])).stdout).toBe(join(dir, 'cur', `${b}:2,`));
  });
});

describe('blaze srv -> mblaze, Python and blaze mdir', () => {
  it('a message received by blaze srv is read by mlist, mshow, Python and blaze mdir/recv', async () => {
    const dir = await fresh();
    const srv = execa(BLAZE, ['srv', '--json', '--once', '-o', dir, '127.0.0.1:0'], { reject: false });
    const port = await new Promise<number>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`blaze srv did not start: ${buf}`)), 10_000);
      srv.stderr!.on('data', (d: Buffer) => {
        buf += d.toString();
        const line = buf.split('\n').find((l) => l.includes('"listening"'));
        if (line) {
          clearTimeout(timer);
          resolve(JSON.parse(line).port);
        }
      });
    });
    const send = await run(PYTHON, ['-c', `
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
s.sendmail("alice@example.org", ["bob@example.net"], open(sys.argv[2], "rb").read())
s.quit()
`, String(port), SIMPLE]);
    expect(send.stderr).toBe('');
    expect(send.exitCode).toBe(0);
    const done = await srv;
    expect(done.exitCode).toBe(0);
    const files = await readdir(join(dir, 'new'));
    expect(files).toHaveLength(1);
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect((await run('mlist', [dir])).stdout).toBe(join(dir, 'new', files[0]));
    const shown = await run('mshow', [join(dir, 'new', files[0])]);
    expect(shown.stdout).toContain('Subject: Lunch on Thursday?');
    expect(shown.stdout).toContain('Shall we meet at noon?');
    const py = await pythonList(dir);
    expect(py).toEqual([expect.objectContaining({ key: files[0], subdir: 'new', subject: 'Lunch on Thursday?' })]);
    const list = await blaze(['mdir', 'list', '-D', dir]);
    expect(list.stdout.split('\t').slice(3)).toEqual(['Alice <alice@example.org>', 'Lunch on Thursday?']);
    const route = await blaze(['recv', 'extract', join(dir, 'new', files[0])]);
    expect(route.stdout).toMatch(/^from:\S+ -> by:\S+ -> for:<bob@example\.net>\n\twith E?SMTP$/);
  });
});

describe('mblaze and Python -> blaze mdir', () => {
  it('lists and reads what mdeliver delivered (LF, :2, in new/)', async () => {
    const dir = await fresh();
    const d = await run('mdeliver', [dir], { input: 'From: Carol <carol@example.com>\nSubject: from mdeliver\n\nhello\n' });
    expect(d.exitCode).toBe(0);
    const files = await readdir(join(dir, 'new'));
    expect(files).toHaveLength(1);
    expect(files[0].endsWith(':2,')).toBe(true);
    const l = await blaze(['mdir', 'list', '-D', dir]);
    expect(l.exitCode).toBe(0);
    const unique = files[0].slice(0, -3);
    expect(l.stdout).toMatch(new RegExp(`^${unique.replace(/\./g, '\\.')}\\tN\\t-\\tCarol <carol@example.com>\\tfrom mdeliver$`));
    const g = await blaze(['mdir', 'get', '-D', dir, unique]);
    expect(g.stdout).toBe('From: Carol <carol@example.com>\r\nSubject: from mdeliver\r\n\r\nhello');
  });

  it('sees the flags mflag set, and mflag sees blaze\'s', async () => {
    const dir = await fresh();
    await run('mdeliver', [dir], { input: 'Subject: flags\n\nx\n' });
    const file = join(dir, 'new', (await readdir(join(dir, 'new')))[0]);
    const f = await run('mflag', ['-S', '-R', file]);
    expect(f.exitCode).toBe(0);
    const unique = (await readdir(join(dir, 'new')))[0].split(':')[0];
    expect((await blaze(['mdir', 'list', '-D', dir])).stdout.split('\t')[1]).toBe('NRS');
    const moved = await blaze(['mdir', 'commit', '-D', dir, unique, '--trashed']);
    expect(moved.stdout).toBe(`${unique}:2,RST`);
    expect((await run('mlist', ['-T', dir])).stdout).toBe(join(dir, 'cur', `${unique}:2,RST`));
    await run('mflag', ['-s', join(dir, 'cur', `${unique}:2,RST`)]); // -s: unseen
    expect((await blaze(['mdir', 'list', '-D', dir, '--cur'])).stdout.split('\t')[1]).toBe('RT');
  });

  it('lists and reads what Python mailbox.Maildir added, with its flags', async () => {
    const dir = await fresh();
    const script = `
import mailbox, sys
md = mailbox.Maildir(sys.argv[1], factory=None, create=False)
m = mailbox.MaildirMessage("From: Dave <dave@example.net>\\nSubject: from python\\n\\nbody\\n")
m.set_subdir("cur"); m.set_flags("RS")
print(md.add(m))
m2 = mailbox.MaildirMessage("Subject: =?utf-8?q?caf=C3=A9?=\\n\\nnew one\\n")
print(md.add(m2))
`;
    const r = await run(PYTHON, ['-c', script, dir]);
    expect(r.exitCode).toBe(0);
    const [k1, k2] = r.stdout.split('\n');
    const l = await blaze(['mdir', 'list', '-D', dir]);
    const lines = l.stdout.split('\n').sort();
    expect(lines).toHaveLength(2);
    expect(lines).toContain(`${k1}\tRS\t-\tDave <dave@example.net>\tfrom python`);
    expect(lines.find((x) => x.startsWith(k2))?.split('\t').slice(0, 2)).toEqual([k2, 'N']);
    expect((await blaze(['mdir', 'get', '-D', dir, k1])).stdout).toBe('From: Dave <dave@example.net>\r\nSubject: from python\r\n\r\nbody');
    // blaze changes a flag; Python sees it
    await blaze(['mdir', 'flag', '-D', dir, k1, '-R', '+P']);
    const py = await pythonList(dir);
    expect(py.find((m) => m.key === k1)).toMatchObject({ flags: 'PS', subdir: 'cur' });
    expect(await readFile(join(dir, 'cur', `${k1}:2,PS`), 'utf8')).toContain('Subject: from python');
  });
});
