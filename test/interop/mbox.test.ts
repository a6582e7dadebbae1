// Interop of blaze mbox with the mbox readers and writers of Debian: Python's
// mailbox.mbox (its From_ quoting and Status/X-Status flags), mblaze over the
// Maildir blaze splits into, neomutt reading the mbox blaze writes, and
// formail (procmail) splitting it. A missing peer is a failure, not a skip.
import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { mkdtemp, readFile, writeFile, access } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BLAZE = fileURLToPath(new URL('../../bin/blaze', import.meta.url));
const THREE = fileURLToPath(new URL('../../fixtures/mbox/three.mboxrd', import.meta.url));
const PYTHON = '/usr/bin/python3';
const PEERS = [PYTHON, '/usr/bin/mlist', '/usr/bin/mhdr', '/usr/bin/mdeliver', '/usr/bin/mexport', '/usr/bin/mmkdir', '/usr/bin/neomutt', '/usr/bin/script', '/usr/bin/formail'];

const run = (cmd: string, args: string[], opts: Record<string, unknown> = {}) => execa(cmd, args, { reject: false, ...opts });
const blaze = (args: string[], opts: Record<string, unknown> = {}) => run(BLAZE, args, { stripFinalNewline: false, ...opts });
const tmp = () => mkdtemp(join(tmpdir(), 'blaze-interop-mbox-'));

/** Messages with lines that need quoting, and one without a final newline. */
const MESSAGES = [
  'From: Alice <alice@example.org>\nSubject: one\nDate: Thu, 30 Mar 2017 15:00:00 +0200\n\nFrom here on.\n>From there.\n>>From far.\n',
  'From: Bob <bob@example.net>\nSubject: two\nDate: Fri, 31 Mar 2017 10:30:00 +0200\n\nplain\n\n',
  'From: Carol <carol@example.com>\nSubject: three\nDate: Sat, 1 Apr 2017 00:00:00 +0000\n\nFrom the start\nFrom the end\n',
];

/** What an mboxrd writer stores for a message: /^>*From / gets one more >. */
const quoted = (m: string) => m.replace(/^(>*From )/gm, '>$1');

async function writeMessages(dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (const [i, m] of MESSAGES.entries()) {
    const p = join(dir, `m${i}.eml`);
    await writeFile(p, m);
    paths.push(p);
  }
  return paths;
}

async function python(script: string, ...args: string[]): Promise<unknown> {
  const r = await run(PYTHON, ['-c', script, ...args]);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  for (const peer of PEERS) await access(peer, constants.X_OK); // throws (fails the suite) when a peer is missing
});

describe('Python mailbox.mbox', () => {
  it('reads what blaze mbox make writes: same messages, mboxrd quoting visible (Python never unquotes)', async () => {
    const dir = await tmp();
    const paths = await writeMessages(dir);
    const box = join(dir, 'out.mbox');
    expect((await blaze(['mbox', 'make', '-o', box, ...paths])).exitCode).toBe(0);
    const got = (await python(
      `
import mailbox, json, sys
mb = mailbox.mbox(sys.argv[1], create=False)
print(json.dumps([{"from_": mb.get_message(k).get_from(), "subject": mb.get_message(k)["subject"], "raw": mb.get_bytes(k).decode("latin1")} for k in mb.keys()]))
`,
      box,
    )) as Array<{ from_: string; subject: string; raw: string }>;
    expect(got.map((m) => m.subject)).toEqual(['one', 'two', 'three']);
    expect(got.map((m) => m.raw)).toEqual(MESSAGES.map(quoted));
    expect(got[0].from_).toBe('alice@example.org Thu Mar 30 13:00:00 2017');
  });

  it('blaze reads what Python writes (mboxo quoting, no blank line after the last message) and its flags', async () => {
    const dir = await tmp();
    const box = join(dir, 'py.mbox');
    await python(
      `
import mailbox, json, sys, email
mb = mailbox.mbox(sys.argv[1])
msgs = json.loads(sys.argv[2])
for i, text in enumerate(msgs):
    m = mailbox.mboxMessage(email.message_from_string(text))
    m.set_from("sender%d@example.org" % i)
    if i == 0: m.set_flags("RAF")
    if i == 1: m.set_flags("O")
    mb.add(m)
mb.flush()
print("[]")
`,
      box,
      JSON.stringify([MESSAGES[2], MESSAGES[1], 'Subject: last\n\nFrom x\nend']),
    );
    const l = await blaze(['mbox', 'list', '--json', box]);
    expect(l.exitCode).toBe(0);
    const recs = JSON.parse(l.stdout) as Array<{ subject: string; sender: string; status: string | null }>;
    expect(recs.map((r) => [r.subject, r.sender])).toEqual([
      ['three', 'sender0@example.org'],
      ['two', 'sender1@example.org'],
      ['last', 'sender2@example.org'],
    ]);
    const md = join(dir, 'Maildir');
    expect((await blaze(['mbox', 'split', '--maildir', md, box])).exitCode).toBe(0);
    // Python's R (read), A (answered), F (flagged) -> Maildir S, R, F in cur/; O alone -> cur/ unflagged.
    expect((await run('mlist', ['-C', '-S', '-R', '-F', md])).stdout.split('\n')).toHaveLength(1);
    expect((await run('mlist', ['-C', md])).stdout.split('\n')).toHaveLength(2);
    const split = join(dir, 'files');
    expect((await blaze(['mbox', 'split', split, box])).exitCode).toBe(0);
    // Python quoted the body's From lines (>From); blaze gives them back unquoted.
    const third = await readFile(join(split, '000003.eml'), 'utf8');
    expect(third).toMatch(/\n\nFrom x\nend\n?$/);
    const first = await readFile(join(split, '000001.eml'), 'utf8');
    expect(first).toContain('\n\nFrom the start\nFrom the end\n');
  });
});

describe('mblaze', () => {
  it('mlist and mhdr read the Maildir blaze mbox split --maildir wrote, with the flags of Status/X-Status', async () => {
    const md = join(await tmp(), 'Maildir');
    const r = await blaze(['mbox', 'split', '--maildir', md, THREE]);
    expect(r.exitCode).toBe(0);
    const all = (await run('mlist', [md])).stdout.split('\n').sort();
    expect(all).toEqual(r.stdout.trim().split('\n').sort());
    expect((await run('mlist', ['-N', md])).stdout.split('\n')).toHaveLength(1);
    const seen = (await run('mlist', ['-S', '-F', '-R', md])).stdout;
    expect((await run('mhdr', ['-h', 'subject', seen])).stdout).toBe('Lunch on Thursday?');
    const subjects = [];
    for (const f of all) subjects.push((await run('mhdr', ['-d', '-h', 'subject', f])).stdout);
    expect(subjects.sort()).toEqual(['Lunch on Thursday?', 'Réunion', 'no date field']);
  });
});

describe('mblaze mbox tools', () => {
  it('mdeliver -M imports the mbox blaze writes; blaze reads what mexport writes, flags included', async () => {
    const dir = await tmp();
    const md = join(dir, 'md');
    expect((await blaze(['mbox', 'split', '--maildir', md, THREE])).exitCode).toBe(0);
    // blaze -> mdeliver -M: the same messages (mdeliver unquotes mboxrd, reads Status/X-Status).
    const box = join(dir, 'blaze.mbox');
    expect((await blaze(['mbox', 'make', '-S', '-o', box, md])).exitCode).toBe(0);
    const md2 = join(dir, 'md2');
    await run('mmkdir', [md2]);
    const d = await run('mdeliver', ['-M', md2], { inputFile: box });
    expect(d.exitCode).toBe(0);
    const bodies = async (m: string) => {
      const files = (await run('mlist', [m])).stdout.split('\n').filter(Boolean);
      const out = [];
      for (const f of files) out.push((await readFile(f, 'utf8')).replace(/^(Status|X-Status):.*\n/gm, ''));
      return out.sort();
    };
    // mdeliver -M keeps the blank line that ends each message of the mbox as
    // part of the message (RFC 4155 readers, blaze and Python, take it away).
    expect((await bodies(md2)).map((b) => b.replace(/\n\n$/, '\n'))).toEqual(await bodies(md));
    expect((await run('mlist', ['-S', '-F', '-R', md2])).stdout.split('\n')).toHaveLength(1);
    // mexport -> blaze: the same messages again.
    const exported = await run('sh', ['-c', `mlist ${md} | mexport -S`], { stripFinalNewline: false });
    expect(exported.exitCode).toBe(0);
    const back = join(dir, 'back');
    await writeFile(join(dir, 'mexport.mbox'), exported.stdout);
    expect((await blaze(['mbox', 'split', '--maildir', back, join(dir, 'mexport.mbox')])).exitCode).toBe(0);
    expect(await bodies(back)).toEqual(await bodies(md));
    expect((await run('mlist', ['-S', '-F', '-R', back])).stdout.split('\n')).toHaveLength(1);
  });
});

describe('neomutt', () => {
  it('opens the mbox blaze writes and sees every message (piped one by one)', async () => {
    const dir = await tmp();
    const paths = await writeMessages(dir);
    const box = join(dir, 'out.mbox');
    expect((await blaze(['mbox', 'make', '-o', box, ...paths])).exitCode).toBe(0);
    expect((await blaze(['mbox', 'make', '-a', box, join(dir, 'm1.eml')])).exitCode).toBe(0);
    const rc = join(dir, 'muttrc');
    const piped = join(dir, 'piped.txt');
    await writeFile(rc, `set folder=${dir}\n` + 'set mbox_type=mbox\nset pipe_split=yes\nset pipe_decode=no\nset wait_key=no\nset sort=mailbox-order\nset quit=yes\n');
    const grab = join(dir, 'grab.sh');
    await writeFile(grab, `#!/bin/sh\nawk '/^Subject:/ && !s {print; s=1}' >> ${piped}\n`, { mode: 0o755 });
    const push = `push "<tag-pattern>~A<enter><tag-prefix><pipe-message>${grab}<enter><exit>"`;
    // neomutt needs a terminal: script(1) gives it one.
    const r = await run('script', ['-qec', `neomutt -n -F ${rc} -R -f ${box} -e '${push}'`, join(dir, 'typescript')], {
      env: { TERM: 'xterm', HOME: dir },
      timeout: 30_000,
    });
    expect(r.exitCode).toBe(0);
    expect((await readFile(piped, 'utf8')).trim().split('\n')).toEqual(['Subject: one', 'Subject: two', 'Subject: three', 'Subject: two']);
    expect(await readFile(join(dir, 'typescript'), 'latin1')).toMatch(/Msgs:4\b/);
  });
});

describe('formail', () => {
  it('formail -s splits the mbox blaze writes, and the fixture blaze reads, into the same messages', async () => {
    const dir = await tmp();
    const paths = await writeMessages(dir);
    const box = join(dir, 'out.mbox');
    expect((await blaze(['mbox', 'make', '-o', box, ...paths])).exitCode).toBe(0);
    const subjects = async (file: string) => {
      const r = await run('formail', ['-s', 'formail', '-c', '-x', 'Subject:'], { inputFile: file });
      expect(r.exitCode).toBe(0);
      return r.stdout.split('\n').map((x) => x.trim());
    };
    const ours = async (file: string) => (JSON.parse((await blaze(['mbox', 'list', '--json', file])).stdout) as Array<{ subject: string }>).length;
    expect(await subjects(box)).toEqual(['one', 'two', 'three']);
    expect(await ours(box)).toBe(3);
    expect(await subjects(THREE)).toEqual(['Lunch on Thursday?', '=?utf-8?q?R=C3=A9union?=', 'no date field']);
    expect(await ours(THREE)).toBe(3);
  });
});
