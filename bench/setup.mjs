// The peers the benchmarks compare against, and the Debian packages that
// provide them. `npm run bench -- --setup` installs the missing ones with
// apt-get (as root); without --setup a missing peer is named on stderr and
// its rows say "not installed". The npm peers (smtp-server, mailauth) are
// devDependencies: `npm ci` installs them.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { PY, have, log } from './lib.mjs';

const pyHas = (mod) => existsSync(PY) && spawnSync(PY, ['-c', `import ${mod}`], { stdio: 'ignore' }).status === 0;

export const PEERS = [
  { pkg: 'time', what: 'GNU time (peak RSS)', ok: () => existsSync('/usr/bin/time') },
  { pkg: 'mblaze', what: 'mshow, mhdr, mlist, mscan, mdeliver', ok: () => ['mshow', 'mhdr', 'mlist', 'mscan', 'mdeliver'].every(have) },
  { pkg: 'python3-dkim', what: 'dkimpy', ok: () => pyHas('dkim') },
  { pkg: 'python3-spf', what: 'pyspf', ok: () => pyHas('spf') },
  { pkg: 'python3-aiosmtpd', what: 'aiosmtpd', ok: () => pyHas('aiosmtpd') },
  { pkg: 'openssl', what: 'openssl dgst', ok: () => have('openssl') },
  { pkg: 'hyperfine', what: 'start-up timing (optional: spawn timing without it)', ok: () => have('hyperfine') },
];

const npmHas = (name) => {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
};

/** Checks the peers; installs the missing Debian packages when `install` (needs root and apt-get). */
export function setupPeers(install) {
  let missing = PEERS.filter((p) => !p.ok());
  if (missing.length && install) {
    const pkgs = missing.map((p) => p.pkg);
    log(`setup: apt-get install -y ${pkgs.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
    missing = PEERS.filter((p) => !p.ok());
  }
  for (const p of missing) log(`peer missing: ${p.what} (Debian package ${p.pkg}; npm run bench -- --setup installs it)`);
  for (const n of ['smtp-server', 'mailauth']) if (!npmHas(n)) log(`peer missing: ${n} (devDependency: run npm ci)`);
  if (!existsSync('/usr/bin/time')) throw new Error('GNU time (/usr/bin/time) is needed: apt-get install time');
  return missing;
}
