import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostPlan, PlanRequest } from '../../shared/api';
import { FAMILIES, tempFamilyRoot, type HostFamily } from '../support/etc-trees';
import { TEST_USER, cliPath, repoRoot } from '../support/session-libvirt';
import { snapshot, temps } from '../support/etc-snapshot';
import { planUndo } from '../../main/setup/undo';

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

async function plan(root: string, family: HostFamily): Promise<HostPlan> {
  const r = family.request;
  const args = ['setup', 'plan', '--root', root, '--gpu', r.gpu.join(','), '--user', r.user, '--json'];
  if (r.lookingGlass) args.push('--looking-glass', r.lookingGlass.mode, '--lg-size', String(r.lookingGlass.sizeMiB));
  else args.push('--no-looking-glass-access');
  if (r.ignoreMsrs) args.push('--ignore-msrs');
  if (r.allowUnsafeInterrupts) args.push('--allow-unsafe-interrupts');
  const result = await vitrine(...args);
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as HostPlan;
}

/** The request the last plan was made from, as the app keeps it (and sends to the helper with the plan's id). */
function lastRequest(): PlanRequest {
  return (JSON.parse(readFileSync(join(dataHome, 'vitrine', 'plans', 'last-plan.json'), 'utf8')) as { request: PlanRequest }).request;
}

/** The helper's apply argv for a plan: its id and the request, never the plan. */
const applyArgs = (root: string, planned: HostPlan, request: PlanRequest = lastRequest()): string[] => ['--root', root, 'apply', planned.id, JSON.stringify(request)];

function newRoot(family: HostFamily): string {
  const root = tempFamilyRoot(family);
  cleanups.push(root.remove);
  return root.dir;
}

// Every host family, Proxmox's included (the tool-driven bootloaders' commands are printed, not run, on a scratch root; their inverses are in the undo goldens).
describe.each(FAMILIES)('the helper on a scratch root: $name', (family) => {
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

    const undone = await vitrine('setup', 'rollback', '--root', root, '--yes');
    expect(undone.code).toBe(0);
    // The undo ran the inverse of every command the apply recorded (printed on a scratch root).
    const undoPlan = planUndo({ ...backups[0]!, reason: planned.reason, planned: {}, files: [], commands: planned.steps.flatMap((s) => (s.kind === 'run' ? [s.argv] : [])) });
    for (const step of undoPlan.steps) if (step.kind === 'run') expect(undone.stdout).toContain(`skipped on a scratch root: ${step.argv.join(' ')}`);
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(join(root, 'var/lib/vitrine/RECOVERY.txt'))).toBe(false);
    for (const path of backups[0]!.created) expect(() => lstatSync(join(root, path))).toThrow();
  });

  it.each(['after-backup', 'after-rename:1', 'after-rename:2', 'temp-written:2'])('survives being killed %s: rollback restores every byte and removes temp files', async (point) => {
    const root = newRoot(family);
    const before = snapshot(root);
    const planned = await plan(root, family);
    const killed = await runHelper(applyArgs(root, planned), { VITRINE_HELPER_CRASH: point });
    expect(killed.signal).toBe('SIGKILL');
    if (point !== 'after-backup') expect(snapshot(root)).not.toEqual(before);
    if (point.startsWith('temp-written')) expect(temps(root)).toHaveLength(1);
    const rolled = await runHelper(['--root', root, 'rollback']);
    expect(rolled.code).toBe(0);
    expect(snapshot(root)).toEqual(before);
    expect(temps(root)).toEqual([]);
  });

  it('a write that fails (no space) is undone at once, with no temp file left', async () => {
    const root = newRoot(family);
    const before = snapshot(root);
    const planned = await plan(root, family);
    const failed = await runHelper(applyArgs(root, planned), { VITRINE_HELPER_FAIL: 'temp-written:2' });
    expect(failed.code).toBe(7);
    expect(failed.stderr).toContain('Writing failed and was undone: no space left on device');
    expect(snapshot(root)).toEqual(before);
    expect(temps(root)).toEqual([]);
  });
});

describe('the helper plans for itself: no plan crosses the privilege boundary', () => {
  const family = FAMILIES[0]!;

  it('a swapped plan id, or a swapped request, is refused before anything changes', async () => {
    const root = newRoot(family);
    const before = snapshot(root);
    const planned = await plan(root, family);
    const other = await plan(newRoot(FAMILIES[1]!), FAMILIES[1]!);
    const request = family.request;
    for (const args of [
      ['--root', root, 'apply', other.id, JSON.stringify(request)],
      ['--root', root, 'apply', 'f'.repeat(64), JSON.stringify(request)],
      ['--root', root, 'apply', planned.id, JSON.stringify({ ...request, ignoreMsrs: true })],
      ['--root', root, 'apply', planned.id, JSON.stringify({ ...request, user: 'mallory' })],
      ['--root', root, 'apply', planned.id, JSON.stringify({ ...request, gpu: ['0000:01:00.0', '0000:01:00.1', '0000:00:14.0'] })],
    ]) {
      const result = await runHelper(args);
      expect(result.code, args.join(' ')).toBe(11);
      expect(result.stderr).toContain('is not the plan you reviewed');
    }
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(join(root, 'var/lib/vitrine/backups'))).toBe(false);
  });

  it("the app's record swapped for a crafted plan (writes /etc/shadow, runs sh) is not what runs", async () => {
    const root = newRoot(family);
    const before = snapshot(root);
    const planned = await plan(root, family);
    const file = join(dataHome, 'vitrine', 'plans', 'last-plan.json');
    const record = JSON.parse(readFileSync(file, 'utf8')) as { root: string; request: PlanRequest; plan: HostPlan };
    const crafted: HostPlan = {
      ...planned,
      steps: [
        { kind: 'write', path: '/etc/shadow', before: null, after: 'root::0:0:::::\n', mode: 0o644, reason: 'x' },
        { kind: 'write', path: '/etc/modprobe.d/vitrine-vfio.conf', before: null, after: 'install nouveau /bin/sh -c id\n', mode: 0o644, reason: 'x' },
        { kind: 'run', argv: ['grub-mkconfig', '-o', '/etc/shadow'], reason: 'x', long: false },
      ],
    };
    // Whatever id the record claims (the real one, or one made to match the crafted steps), the helper applies only its own plan.
    for (const id of [planned.id, 'a'.repeat(64)]) {
      writeFileSync(file, JSON.stringify({ ...record, plan: { ...crafted, id } }));
      const result = await vitrine('setup', 'apply');
      if (id === planned.id) {
        // The right id with the right request: the helper's own plan (not the crafted one) is applied.
        expect(result.code).toBe(0);
        expect(existsSync(join(root, 'etc/shadow'))).toBe(false);
        expect(readFileSync(join(root, 'etc/modprobe.d/vitrine-vfio.conf'), 'utf8')).not.toContain('install');
        expect(result.stdout).not.toContain('/etc/shadow');
        expect((await vitrine('setup', 'rollback', '--root', root, '--yes')).code).toBe(0);
      } else {
        expect(result.code).not.toBe(0);
        expect(result.stderr).toContain('is not the plan you reviewed');
      }
      expect(snapshot(root)).toEqual(before);
    }
  });

  it('a file edited between plan and apply: the helper’s own plan differs, so it refuses', async () => {
    const root = newRoot(family);
    await plan(root, family);
    writeFileSync(join(root, 'etc/default/grub'), `${readFileSync(join(root, 'etc/default/grub'), 'utf8')}GRUB_TIMEOUT_STYLE=menu\n`);
    const after = snapshot(root);
    const result = await vitrine('setup', 'apply');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('is not the plan you reviewed');
    expect(snapshot(root)).toEqual(after);
  });

  it('the old plan-file input is gone; a request with anything else than its fields is refused', async () => {
    const root = newRoot(family);
    const before = snapshot(root);
    const planned = await plan(root, family);
    const file = join(dataHome, 'crafted-plan.json');
    writeFileSync(file, JSON.stringify({ ...planned, steps: [{ kind: 'run', argv: ['sh', '-c', 'id'], reason: 'x', long: false }] }));
    const old = await runHelper(['--root', root, 'apply', file]);
    expect(old.code).toBe(2);
    expect(old.stderr).toContain('no plan file');
    const asRequest = await runHelper(['--root', root, 'apply', planned.id, file]);
    expect(asRequest.code).toBe(3);
    expect(asRequest.stderr).toContain('The request is not JSON');
    for (const extra of [{ steps: [] }, { argv: ['sh'] }, { user: 'root; id' }, { lookingGlass: { mode: 'kvmfr', sizeMiB: 33 } }]) {
      const result = await runHelper(['--root', root, 'apply', planned.id, JSON.stringify({ ...family.request, ...extra })]);
      expect(result.code, JSON.stringify(extra)).toBe(3);
      expect(result.stderr).toContain('The request was refused');
    }
    expect((await runHelper(['--root', root, 'apply', planned.id, JSON.stringify({ ...family.request, pad: 'x'.repeat(5000) })])).stderr).toContain('over 4096 bytes');
    expect((await runHelper(['--root', root, 'apply', 'not-an-id', JSON.stringify(family.request)])).code).toBe(2);
    expect((await runHelper(['--root', root, 'apply', planned.id, JSON.stringify(family.request), 'extra'])).code).toBe(2);
    expect(snapshot(root)).toEqual(before);
  });

  it('a symbolic link on the way', async () => {
    const root = newRoot(family);
    const planned = await plan(root, family);
    const elsewhere = mkdtempSync(join(tmpdir(), 'vitrine-elsewhere-'));
    cleanups.push(() => rmSync(elsewhere, { recursive: true, force: true }));
    rmSync(join(root, 'etc/modprobe.d'), { recursive: true, force: true });
    symlinkSync(elsewhere, join(root, 'etc/modprobe.d'));
    const result = await runHelper(applyArgs(root, planned));
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('is a symbolic link');
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('an unknown verb, a missing argument, and running without root', async () => {
    const root = newRoot(family);
    const unknown = await runHelper(['--root', root, 'format-disk']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown verb 'format-disk'");
    expect((await runHelper(['--root', root, 'apply'])).code).toBe(2);
    if (process.getuid?.() === 0) {
      const id = (flag: string) => Number(execFileSync('id', [flag, TEST_USER]).toString());
      const user = await run(process.execPath, [helper, 'backups'], {}, { uid: id('-u'), gid: id('-g') });
      expect(user.code).toBe(6);
      expect(user.stderr).toContain('must run as root');
    }
  });
});

describe('the helper refuses, changing nothing', () => {
  const family = FAMILIES[0]!;

  it('--root under pkexec, for every verb', async () => {
    const root = newRoot(family);
    const before = snapshot(root);
    const planned = await plan(root, family);
    for (const args of [applyArgs(root, planned), ['--root', root, 'rollback'], ['--root', root, 'backups'], ['--root', root, 'read-log', 'win11']]) {
      const result = await runHelper(args, { PKEXEC_UID: '1000' });
      expect(result.code, args.join(' ')).toBe(12);
      expect(result.stderr).toContain('--root is refused under pkexec');
    }
    expect(snapshot(root)).toEqual(before);
  });

  it('--run-in-root: only after --root, only as root, never under pkexec', async () => {
    const root = newRoot(family);
    const before = snapshot(root);
    const planned = await plan(root, family);
    const [, , ...verb] = applyArgs(root, planned);
    const alone = await runHelper(['--run-in-root', ...verb]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--run-in-root goes after --root DIR');
    const elevated = await runHelper(['--root', root, '--run-in-root', ...verb], { PKEXEC_UID: '1000' });
    expect(elevated.code).toBe(12);
    expect(elevated.stderr).toContain('--root is refused under pkexec');
    if (process.getuid?.() === 0) {
      const id = (flag: string) => Number(execFileSync('id', [flag, TEST_USER]).toString());
      const user = await run(process.execPath, [helper, '--root', root, '--run-in-root', 'backups'], {}, { uid: id('-u'), gid: id('-g') });
      expect(user.code).toBe(6);
      expect(user.stderr).toContain('--run-in-root runs the commands with chroot, which needs root');
    }
    expect(snapshot(root)).toEqual(before);
  });

  it('a root that is /, however written, a link, under a link, or not a plain path', async () => {
    const root = newRoot(family);
    const links = mkdtempSync(join(tmpdir(), 'vitrine-links-'));
    cleanups.push(() => rmSync(links, { recursive: true, force: true }));
    symlinkSync(root, join(links, 'root-link'));
    symlinkSync('/', join(links, 'slash-link'));
    symlinkSync(links, join(links, 'dir-link'));
    const cases: [string, string][] = [
      ['/', 'it is / (this host)'],
      ['//', 'it is / (this host)'],
      ['/.', 'it is / (this host)'],
      ['/etc/..', 'it is / (this host)'],
      ['relative/root', 'not an absolute path'],
      [`${root}/`, 'not written plainly'],
      [`${root}/.`, 'not written plainly'],
      [`${root}/../${root.split('/').at(-1)}`, 'not written plainly'],
      [join(links, 'root-link'), 'is a symbolic link'],
      [join(links, 'slash-link'), 'is a symbolic link'],
      [join(links, 'dir-link', 'root-link'), 'is a symbolic link'],
      [join(links, 'missing'), 'does not exist'],
      [join(root, 'etc/default/grub'), 'not a folder'],
    ];
    mkdirSync(join(links, 'real'));
    cases.push([join(links, 'dir-link', 'real'), 'a link on its way leads to']);
    for (const [given, why] of cases) {
      const result = await runHelper(['--root', given, 'backups']);
      expect(result.code, given).toBe(12);
      expect(result.stderr, given).toContain(why);
    }
  });

  it('rollback reads only records the helper wrote, with paths on the allow-list', async () => {
    const root = newRoot(family);
    await plan(root, family);
    expect((await vitrine('setup', 'apply')).code).toBe(0);
    const applied = snapshot(root);
    const [manifest] = JSON.parse((await runHelper(['--root', root, 'backups'])).stdout) as { id: string; files: { path: string; sha256: string }[] }[];
    const dir = join(root, 'var/lib/vitrine/backups', manifest!.id);
    const file = join(dir, 'manifest.json');
    const good = readFileSync(file, 'utf8');
    const forged = (change: (m: Record<string, unknown>) => void): string => {
      const m = JSON.parse(good) as Record<string, unknown>;
      change(m);
      return JSON.stringify(m);
    };
    writeFileSync(join(root, 'etc/shadow'), 'root:*:1::::::\n');
    const shadow = snapshot(root);
    // A record naming a file outside the allow-list (with a backup copy that matches), a setuid mode, an unknown member.
    const copy = readFileSync(join(dir, 'files/etc/default/grub'));
    mkdirSync(join(dir, 'files/etc'), { recursive: true });
    writeFileSync(join(dir, 'files/etc/shadow'), copy);
    for (const text of [
      forged((m) => ((m['files'] as { path: string }[])[0]!.path = '/etc/shadow')),
      forged((m) => ((m['created'] as string[]).push('/etc/shadow'))),
      forged((m) => ((m['createdDirs'] as string[]).push('/var'))),
      forged((m) => ((m['files'] as { mode: number }[])[0]!.mode = 0o4755)),
      forged((m) => (m['extra'] = 1)),
      '{"id": ',
    ]) {
      writeFileSync(file, text);
      const result = await runHelper(['--root', root, 'rollback', manifest!.id]);
      expect(result.code, text.slice(0, 200)).toBe(3);
      expect(result.stderr).toContain('is not valid');
      expect(snapshot(root)).toEqual(shadow);
    }
    // A record anyone may write, or reached through a link, is not one the helper wrote.
    writeFileSync(file, good);
    chmodSync(file, 0o666);
    expect((await runHelper(['--root', root, 'rollback', manifest!.id])).stderr).toContain('is not a record the helper wrote');
    chmodSync(file, 0o644);
    const moved = `${dir}.real`;
    execFileSync('mv', [dir, moved]);
    symlinkSync(moved, dir);
    const linked = await runHelper(['--root', root, 'rollback', manifest!.id]);
    expect(linked.code).toBe(4);
    expect(linked.stderr).toContain('is a symbolic link');
    rmSync(dir);
    execFileSync('mv', [moved, dir]);
    expect((await runHelper(['--root', root, 'rollback', '..'])).code).toBe(9);
    rmSync(join(root, 'etc/shadow'));
    expect(snapshot(root)).toEqual(applied);
    expect((await runHelper(['--root', root, 'rollback', manifest!.id])).code).toBe(0);
  });

  it.runIf(process.getuid?.() === 0)('rollback restores the recorded mode, owner and group', async () => {
    const root = newRoot(family);
    const grub = join(root, 'etc/default/grub');
    chownSync(grub, 1234, 2345);
    chmodSync(grub, 0o640);
    const before = snapshot(root);
    await plan(root, family);
    expect((await vitrine('setup', 'apply')).code).toBe(0);
    expect(statSync(grub)).toMatchObject({ uid: 1234, gid: 2345 });
    chownSync(grub, 0, 0);
    chmodSync(grub, 0o600);
    expect((await vitrine('setup', 'rollback', '--root', root, '--yes')).code).toBe(0);
    expect(statSync(grub).mode & 0o7777).toBe(0o640);
    expect(statSync(grub)).toMatchObject({ uid: 1234, gid: 2345 });
    expect(snapshot(root)).toEqual(before);
  });

  it.runIf(process.getuid?.() === 0)('a folder on the way that another user could change (a link could be swapped in after the check)', async () => {
    const userId = Number(execFileSync('id', ['-u', TEST_USER]).toString());
    for (const change of [(root: string) => chownSync(join(root, 'etc/default'), userId, userId), (root: string) => chmodSync(join(root, 'etc/default'), 0o775), (root: string) => chmodSync(join(root, 'etc'), 0o777)]) {
      const root = newRoot(family);
      const planned = await plan(root, family);
      change(root);
      const before = snapshot(root);
      const result = await runHelper(applyArgs(root, planned));
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('could be changed by another user');
      expect(snapshot(root)).toEqual(before);
      expect(existsSync(join(root, 'var/lib/vitrine/backups'))).toBe(false);
    }
    // Rollback checks the same: a change set whose folder another user took over is not restored through it.
    const root = newRoot(family);
    await plan(root, family);
    expect((await vitrine('setup', 'apply')).code).toBe(0);
    chownSync(join(root, 'etc/default'), userId, userId);
    const undo = await runHelper(['--root', root, 'rollback']);
    expect(undo.code).toBe(4);
    expect(undo.stderr).toContain('could be changed by another user');
  });

  it.runIf(process.getuid?.() === 0)('a user swapping a link in while the helper runs as root, 100 times: nothing is written outside the root', async () => {
    const userId = Number(execFileSync('id', ['-u', TEST_USER]).toString());
    const root = newRoot(family);
    const planned = await plan(root, family);
    mkdirSync(join(root, 'etc/modprobe.d'), { recursive: true });
    execFileSync('chown', ['-R', `${userId}:${userId}`, join(root, 'etc')]);
    const outside = mkdtempSync(join(tmpdir(), 'vitrine-outside-'));
    cleanups.push(() => rmSync(outside, { recursive: true, force: true }));
    execFileSync('chown', [`${userId}:${userId}`, outside]);
    // The user's racer: swap etc/modprobe.d between the real folder and a link to a folder outside the root, as fast as it can.
    const script = `const fs = require('node:fs'); const d = ${JSON.stringify(join(root, 'etc/modprobe.d'))}; const o = ${JSON.stringify(outside)};
      const pause = new Int32Array(new SharedArrayBuffer(4));
      for (;;) { try { fs.renameSync(d, d + '.real'); fs.symlinkSync(o, d); Atomics.wait(pause, 0, 0, 3); fs.unlinkSync(d); fs.renameSync(d + '.real', d); Atomics.wait(pause, 0, 0, 3); } catch {} }`;
    const racer = spawn(process.execPath, ['-e', script], { uid: userId, gid: userId, stdio: 'ignore' });
    try {
      const codes = new Set<number | null>();
      for (let i = 0; i < 100; i += 2) for (const r of await Promise.all([runHelper(applyArgs(root, planned)), runHelper(applyArgs(root, planned))])) codes.add(r.code);
      expect([...codes].every((c) => c !== 0)).toBe(true);
    } finally {
      racer.kill('SIGKILL');
    }
    expect(readdirSync(outside)).toEqual([]);
  }, 120_000);

  it('a folder, a named pipe, a socket or a device at a planned path: refused at once, no hang', async () => {
    const target = 'etc/modprobe.d/vitrine-vfio.conf';
    const makers: [string, (full: string) => Promise<(() => void) | void>][] = [
      ['a folder', async (full) => void mkdirSync(full)],
      ['a named pipe', async (full) => void execFileSync('mkfifo', [full])],
      [
        'a socket',
        (full) =>
          new Promise((done) => {
            const server = createServer().listen(full, () => done(() => server.close()));
          }),
      ],
    ];
    if (process.getuid?.() === 0) makers.push(['a device', async (full) => void execFileSync('mknod', [full, 'c', '1', '3'])]);
    for (const [what, make] of makers) {
      const root = newRoot(family);
      const planned = await plan(root, family);
      mkdirSync(join(root, target, '..'), { recursive: true });
      const stop = await make(join(root, target));
      const before = snapshot(root);
      const helperRun = await runHelper(applyArgs(root, planned));
      expect(helperRun.code, what).toBe(4);
      expect(helperRun.stderr, what).toContain(`is ${what}`);
      const planRun = await vitrine('setup', 'plan', '--root', root, '--gpu', family.request.gpu.join(','), '--user', family.request.user);
      expect(planRun.code, what).not.toBe(0);
      expect(planRun.stderr, what).toContain(`is ${what}`);
      expect(snapshot(root)).toEqual(before);
      stop?.();
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
    const result = await vitrine('setup', 'rollback', '--root', root, '--yes');
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
