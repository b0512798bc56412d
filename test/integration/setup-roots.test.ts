import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAMILIES, writeFamilyRoot } from '../support/etc-trees';
import { cliPath } from '../support/session-libvirt';
import { straceMissing, traced, within, type FileCall } from '../support/strace';
import { snapshot } from '../support/etc-snapshot';

// `--root DIR` on every setup command and the global `--setup-root DIR` name
// the same thing, and a command given one touches only that folder: every
// file-system call of the CLI and of the helper it starts is traced (strace -f)
// and each write must land in the root or in the user's own data folder (the
// last plan), and nothing of this machine's /etc may be read beyond what the
// C library and OpenSSL read when any program starts.

const family = FAMILIES.find((f) => f.name === 'debian-grub-initramfs-tools')!;
const work = mkdtempSync(join(tmpdir(), 'vitrine-setup-roots-'));
const dataHome = join(work, 'data');
const home = join(work, 'home');
mkdirSync(dataHome);
mkdirSync(home);
afterAll(() => rmSync(work, { recursive: true, force: true }));
const env = { ...process.env, XDG_DATA_HOME: dataHome, HOME: home };

/**
 * What Node itself reads from /etc, whatever the program: the loader's cache,
 * OpenSSL's configuration and certificates, and the time zone (ICU reads the
 * /etc/localtime link, and checks /etc is no link). Not even /etc/passwd: the
 * tests name the --user, so the CLI looks up no one.
 */
const RUNTIME_ETC = [/^\/etc$/, /^\/etc\/ld\.so\.(preload|cache)$/, /^\/etc\/ssl(\/|$)/, /^\/etc\/localtime$/];

let rootCount = 0;
/** A fresh scratch copy of a Debian host (its sys/proc/dev trees too, unless `withSys` is false). */
function newRoot(withSys = true): string {
  const dir = join(work, `root-${++rootCount}`);
  mkdirSync(dir);
  writeFamilyRoot(family, dir);
  if (!withSys) for (const tree of ['sys', 'proc', 'dev', 'lib']) rmSync(join(dir, tree), { recursive: true, force: true });
  return dir;
}

const planArgs = ['--gpu', family.request.gpu.join(','), '--user', family.request.user, '--looking-glass', 'shm'];

/** The CLI under strace, in a folder of its own. */
const vitrine = (args: string[]) => traced(process.execPath, [cliPath, ...args], { cwd: work, env });

/** Writes outside the root and the data folder, and reads of this machine's /etc beyond the runtime's own. */
function escapes(calls: FileCall[], root: string): { writes: string[]; etc: string[] } {
  const writes = calls.filter((c) => c.writes).flatMap((c) => c.paths.filter((p) => !within(root, p) && !within(dataHome, p) && p !== '/dev/null').map((p) => `${c.syscall} ${p}`));
  const etc = calls.flatMap((c) => c.paths.filter((p) => within('/etc', p) && !RUNTIME_ETC.some((r) => r.test(p))).map((p) => `${c.syscall} ${p}`));
  return { writes: [...new Set(writes)], etc: [...new Set(etc)] };
}

type Style = { name: string; args: (root: string, verb: string[], rest?: string[]) => string[] };
const STYLES: Style[] = [
  { name: 'vitrine --setup-root R setup …', args: (root, verb, rest = []) => ['--setup-root', root, 'setup', ...verb, ...rest] },
  { name: 'vitrine setup … --root R', args: (root, verb, rest = []) => ['setup', ...verb, ...rest, '--root', root] },
  { name: 'both, naming the same folder', args: (root, verb, rest = []) => ['--setup-root', root, 'setup', ...verb, ...rest, '--root', `${root}/.`] },
];

describe.skipIf(straceMissing)('setup commands on a scratch root', () => {
  describe.each(STYLES)('$name', (style) => {
    it('plan, apply, backups and rollback touch only the root, and never read this machine\'s /etc', async () => {
      const root = newRoot();
      const before = snapshot(root);

      const plan = await vitrine(style.args(root, ['plan'], planArgs));
      expect(plan.stderr).toBe('');
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain(`Apply it with: vitrine setup apply --root ${root}`);
      // The planner read the root's files (the trace sees them) and none of this machine's.
      expect(plan.calls.some((c) => c.paths.includes(join(root, 'etc/default/grub')))).toBe(true);
      expect(escapes(plan.calls, root)).toEqual({ writes: [], etc: [] });

      const apply = await vitrine(style.args(root, ['apply']));
      expect(apply.stderr).toBe('');
      expect(apply.code).toBe(0);
      const id = /Undo with: vitrine setup rollback (\S+) --root (\S+)/.exec(apply.stdout);
      expect(id?.[2]).toBe(root);
      expect(readFileSync(join(root, 'etc/default/grub'), 'utf8')).toMatch(/vfio-pci\.ids=/);
      expect(escapes(apply.calls, root)).toEqual({ writes: [], etc: [] });

      const backups = await vitrine(style.args(root, ['backups'], ['--json']));
      expect(backups.code).toBe(0);
      expect((JSON.parse(backups.stdout) as { id: string }[]).map((m) => m.id)).toEqual([id![1]]);
      expect(escapes(backups.calls, root)).toEqual({ writes: [], etc: [] });

      const rollback = await vitrine(style.args(root, ['rollback'], ['--yes']));
      expect(rollback.stderr).toBe('');
      expect(rollback.code).toBe(0);
      expect(snapshot(root)).toEqual(before);
      expect(escapes(rollback.calls, root)).toEqual({ writes: [], etc: [] });
    });
  });

  it("a root without a sysfs tree: the plan reads this machine's hardware but the root's etc/, never this machine's /etc", async () => {
    const root = newRoot(false);
    const plan = await vitrine(['setup', 'plan', '--root', root, '--ignore-msrs', '--user', 'alice', '--json']);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.calls.some((c) => c.paths.includes(join(root, 'etc/default/grub')))).toBe(true);
    expect(escapes(plan.calls, root)).toEqual({ writes: [], etc: [] });
  });

  it("the check is live: a plan for this host reads this machine's /etc, and the trace shows it", async () => {
    const plan = await vitrine(['setup', 'plan', '--ignore-msrs', '--user', 'alice']);
    // Whether or not this machine's boot can be planned, its /etc/default/grub is looked at, and only the data folder is written.
    expect(escapes(plan.calls, '/nonexistent').etc.filter((c) => c.endsWith(' /etc/default/grub'))).not.toEqual([]);
    expect(escapes(plan.calls, '/nonexistent').writes).toEqual([]);
  });

  it('a --root and a --setup-root that differ: refused by every command, nothing read or written in either', async () => {
    const [a, b] = [newRoot(), newRoot()];
    const [snapA, snapB] = [snapshot(a), snapshot(b)];
    for (const verb of [['plan', ...planArgs], ['apply'], ['rollback'], ['backups'], ['dump-rom', '0000:01:00.0']]) {
      const run = await vitrine(['--setup-root', a, 'setup', ...verb, '--root', b]);
      expect(run.code, verb[0]).toBe(1);
      expect(run.stderr).toBe(`vitrine: --root ${b} and --setup-root ${a} name different hosts; nothing was done. — Give one of them (or the same folder to both).\n`);
      const touched = run.calls.flatMap((c) => c.paths).filter((p) => within(a, p) || within(b, p));
      expect(touched, verb[0]).toEqual([]);
    }
    expect([snapshot(a), snapshot(b)]).toEqual([snapA, snapB]);
  });

  it('apply --root refuses a last plan made for another root, and changes neither', async () => {
    const [planned, other] = [newRoot(), newRoot()];
    const [snapPlanned, snapOther] = [snapshot(planned), snapshot(other)];
    expect((await vitrine(['setup', 'plan', '--root', planned, ...planArgs])).code).toBe(0);
    const apply = await vitrine(['setup', 'apply', '--root', other]);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain(`The last plan was made for ${planned}, not ${other}: nothing was applied.`);
    expect(apply.stderr).toContain(`vitrine setup plan --root ${other}`);
    expect([snapshot(planned), snapshot(other)]).toEqual([snapPlanned, snapOther]);
    expect(existsSync(join(planned, 'var/lib/vitrine'))).toBe(false);
  });
});

it('strace is there when CI runs (.ci/run installs it)', () => {
  if (process.env['CI'] === 'true') expect(straceMissing).toBeNull();
});
