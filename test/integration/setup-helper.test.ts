import { execFileSync, spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostPlan } from '../../shared/api';
import { FAMILIES, tempFamilyRoot, type HostFamily } from '../support/etc-trees';
import { TEST_USER, cliPath, repoRoot } from '../support/session-libvirt';

const helper = join(repoRoot, 'out', 'helper', 'vitrine-helper.mjs');
const dataHome = mkdtempSync(join(tmpdir(), 'vitrine-setup-data-'));
const cleanups: (() => void)[] = [() => rmSync(dataHome, { recursive: true, force: true })];
afterAll(() => cleanups.forEach((c) => c()));

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}, as?: { uid: number; gid: number }): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_DATA_HOME: dataHome, ...env }, ...(as ?? {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}
const vitrine = (...args: string[]) => run(process.execPath, [cliPath, ...args]);
const runHelper = (args: string[], env: NodeJS.ProcessEnv = {}) => run(process.execPath, [helper, ...args], env);

/** Every file under the root's etc/ and run/ (the host side), with bytes and mode; the helper's own folder is left out. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const info = lstatSync(full);
      if (info.isDirectory()) walk(full);
      else out[relative(root, full)] = `${(info.mode & 0o7777).toString(8)} ${readFileSync(full, 'base64')}`;
    }
  };
  walk(join(root, 'etc'));
  return out;
}

async function plan(root: string, family: HostFamily): Promise<HostPlan> {
  const r = family.request;
  const args = ['setup', 'plan', '--root', root, '--gpu', r.gpu.join(','), '--user', r.user, '--json'];
  if (r.lookingGlass) args.push('--looking-glass', r.lookingGlass.mode, '--lg-size', String(r.lookingGlass.sizeMiB));
  if (r.ignoreMsrs) args.push('--ignore-msrs');
  if (r.allowUnsafeInterrupts) args.push('--allow-unsafe-interrupts');
  const result = await vitrine(...args);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as HostPlan;
}

function newRoot(family: HostFamily): string {
  const root = tempFamilyRoot(family);
  cleanups.push(root.remove);
  return root.dir;
}

// File-based families: everything the plan does lives in files (tool-driven bootloaders also run commands).
const FILE_FAMILIES = FAMILIES.filter((f) => ['debian-grub-initramfs-tools', 'arch-systemd-boot-mkinitcpio', 'fedora-grubby-dracut'].includes(f.name));

describe.each(FILE_FAMILIES)('the helper on a scratch root: $name', (family) => {
  it('applies exactly the plan, finds nothing left to do, and rolls back to the same bytes', async () => {
    const root = newRoot(family);
    const before = snapshot(root);
    const planned = await plan(root, family);
    const applied = await vitrine('setup', 'apply');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/Undo with: vitrine setup rollback \S+/);
    for (const step of planned.steps) {
      if (step.kind === 'write') expect(readFileSync(join(root, step.path), 'utf8'), step.path).toBe(step.after);
      else expect(applied.stdout).toContain(`skipped on a scratch root: ${step.argv.join(' ')}`);
    }
    const again = await plan(root, family);
    expect(again.steps.filter((s) => s.kind === 'write')).toEqual([]);

    const backups = JSON.parse((await vitrine('setup', 'backups', '--root', root, '--json')).stdout) as { id: string; state: string; files: { path: string }[]; created: string[] }[];
    expect(backups).toHaveLength(1);
    expect(backups[0]!.state).toBe('applied');
    for (const f of backups[0]!.files) expect(readFileSync(join(root, 'var/lib/vitrine/backups/original', f.path))).toBeTruthy();

    const undone = await vitrine('setup', 'rollback', '--root', root);
    expect(undone.code).toBe(0);
    expect(snapshot(root)).toEqual(before);
    for (const path of backups[0]!.created) expect(() => lstatSync(join(root, path))).toThrow();
  });

  it.each(['after-backup', 'after-rename:1', 'after-rename:2'])('survives being killed %s: rollback restores every byte', async (point) => {
    const root = newRoot(family);
    const before = snapshot(root);
    const planned = await plan(root, family);
    const planFile = join(dataHome, 'plan-for-crash.json');
    writeFileSync(planFile, JSON.stringify(planned));
    const killed = await runHelper(['--root', root, 'apply', planFile], { VITRINE_HELPER_CRASH: point });
    expect(killed.signal).toBe('SIGKILL');
    if (point !== 'after-backup') expect(snapshot(root)).not.toEqual(before);
    const rolled = await runHelper(['--root', root, 'rollback']);
    expect(rolled.code).toBe(0);
    expect(snapshot(root)).toEqual(before);
  });
});

describe('the helper refuses, changing nothing', () => {
  const family = FAMILIES[0]!;

  it('a hand-made plan that writes outside its list, or runs another program', async () => {
    const root = newRoot(family);
    const before = snapshot(root);
    const good = await plan(root, family);
    for (const [bad, message] of [
      [{ ...good, steps: [{ kind: 'write', path: '/etc/shadow', before: null, after: 'root::0:0:::::\n', mode: 0o644, reason: 'x' }] }, '/etc/shadow is not a file Vitrine may change'],
      [{ ...good, steps: [{ kind: 'write', path: '/etc/default/../shadow', before: null, after: 'x', mode: 0o644, reason: 'x' }] }, 'is not a file Vitrine may change'],
      [{ ...good, steps: [{ kind: 'run', argv: ['sh', '-c', 'id'], reason: 'x', long: false }] }, 'sh is not a program Vitrine may run'],
    ] as const) {
      const file = join(dataHome, 'bad-plan.json');
      writeFileSync(file, JSON.stringify(bad));
      const result = await runHelper(['--root', root, 'apply', file]);
      expect(result.code).toBe(4);
      expect(result.stderr).toContain(message);
    }
    const garbage = join(dataHome, 'garbage.json');
    writeFileSync(garbage, '{"id": "x"');
    expect((await runHelper(['--root', root, 'apply', garbage])).code).toBe(3);
    expect(snapshot(root)).toEqual(before);
  });

  it('a plan whose files changed since it was made', async () => {
    const root = newRoot(family);
    const planned = await plan(root, family);
    writeFileSync(join(root, 'etc/default/grub'), `${readFileSync(join(root, 'etc/default/grub'), 'utf8')}GRUB_TIMEOUT_STYLE=menu\n`);
    const after = snapshot(root);
    const file = join(dataHome, 'stale.json');
    writeFileSync(file, JSON.stringify(planned));
    const result = await runHelper(['--root', root, 'apply', file]);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('/etc/default/grub changed since the plan was made');
    expect(snapshot(root)).toEqual(after);
  });

  it('a symbolic link on the way', async () => {
    const root = newRoot(family);
    const planned = await plan(root, family);
    rmSync(join(root, 'etc/modprobe.d'), { recursive: true, force: true });
    symlinkSync('/tmp', join(root, 'etc/modprobe.d'));
    const file = join(dataHome, 'link.json');
    writeFileSync(file, JSON.stringify(planned));
    const result = await runHelper(['--root', root, 'apply', file]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('is a symbolic link');
  });

  it('an unknown verb, a missing argument, and running without root', async () => {
    const root = newRoot(family);
    const unknown = await runHelper(['--root', root, 'format-disk']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown verb 'format-disk'");
    expect((await runHelper(['--root', root, 'apply'])).code).toBe(2);
    expect((await runHelper(['--root', '/', 'backups'])).code).toBe(2);
    if (process.getuid?.() === 0) {
      const id = (flag: string) => Number(execFileSync('id', [flag, TEST_USER]).toString());
      const user = await run(process.execPath, [helper, 'backups'], {}, { uid: id('-u'), gid: id('-g') });
      expect(user.code).toBe(6);
      expect(user.stderr).toContain('must run as root');
    }
  });

  it('a ROM dump: a bad address, an output outside the ROM folder, a device without ROM, an image without 55 AA', async () => {
    const root = newRoot(family);
    expect((await runHelper(['--root', root, 'dump-rom', '01:00.0', '/var/lib/vitrine/roms/x.rom'])).code).toBe(2);
    const outside = await runHelper(['--root', root, 'dump-rom', '0000:01:00.0', '/etc/passwd']);
    expect(outside.code).toBe(4);
    expect(outside.stderr).toContain('ROMs are written to /var/lib/vitrine/roms/NAME.rom only');
    expect((await runHelper(['--root', root, 'dump-rom', '0000:00:14.0', '/var/lib/vitrine/roms/usb.rom'])).stderr).toContain('has no ROM to read');
    // A fixture's rom file is a plain file, not sysfs: it reads back what was written, with no 55 AA header.
    const cli = await vitrine('setup', 'dump-rom', '0000:01:00.0', '--root', root);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('has no 55 AA header');
    expect(readFileSync(join(root, 'sys/bus/pci/devices/0000:01:00.0/rom'), 'utf8')).toBe('0'); // disabled again in the finally
  });

  it('an undo that would lose an edit made after Vitrine’s change', async () => {
    const root = newRoot(family);
    await plan(root, family);
    expect((await vitrine('setup', 'apply')).code).toBe(0);
    const grub = join(root, 'etc/default/grub');
    writeFileSync(grub, `${readFileSync(grub, 'utf8')}GRUB_TIMEOUT_STYLE=menu\n`);
    const edited = snapshot(root);
    const result = await vitrine('setup', 'rollback', '--root', root);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("/etc/default/grub changed after Vitrine's change; undoing would lose that edit");
    expect(snapshot(root)).toEqual(edited);
  });

  it('nothing to undo', async () => {
    const root = newRoot(family);
    const result = await runHelper(['--root', root, 'rollback']);
    expect(result.code).toBe(9);
    expect(result.stderr).toContain('No change to undo');
  });
});
