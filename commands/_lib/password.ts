// Where a command gets a password, never from its own command line (other
// users see it in ps): --password-file FILE (its first line), then
// --password-command CMD (the first line it prints, as msmtp's
// passwordeval), then $BLAZE_PASSWORD, then a prompt on the terminal.
import { openSync, closeSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import tty from 'node:tty';
import { BlazeError, usageError, describeFsError } from './errors.ts';

export interface PasswordSources {
  passwordFile?: string;
  passwordCommand?: string;
}

/** The password from the first source given; a usage error when there is none and no terminal to ask on. */
export async function obtainPassword(o: PasswordSources, prompt = 'Password: '): Promise<string> {
  if (o.passwordFile !== undefined && o.passwordCommand !== undefined) throw usageError('--password-file and --password-command exclude each other');
  if (o.passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(o.passwordFile, 'utf8');
    } catch (err) {
      throw describeFsError(o.passwordFile, err);
    }
    return firstLine(text);
  }
  if (o.passwordCommand !== undefined) return runPasswordCommand(o.passwordCommand);
  if (process.env.BLAZE_PASSWORD !== undefined) return process.env.BLAZE_PASSWORD;
  return askOnTerminal(prompt);
}

function firstLine(text: string): string {
  return text.split(/\r?\n/)[0];
}

function runPasswordCommand(cmd: string): string {
  const r = spawnSync('/bin/sh', ['-c', cmd], { stdio: ['inherit', 'pipe', 'inherit'], timeout: 120_000, maxBuffer: 64 * 1024 });
  if (r.error) throw usageError(`--password-command: ${r.error.message}`);
  if (r.status !== 0) throw usageError(`--password-command exited with status ${r.status ?? `signal ${r.signal}`}`);
  const pw = firstLine(r.stdout.toString('utf8'));
  if (pw === '') throw usageError('--password-command printed no password');
  return pw;
}

async function askOnTerminal(question: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw usageError('no password: use --password-file FILE, --password-command CMD or BLAZE_PASSWORD (no terminal to ask on)');
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
          if (ch === '\u0003' || ch === '\u0004') return reject(new BlazeError('cancelled'));
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
