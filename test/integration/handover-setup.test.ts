import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostPlan } from '../../shared/api';
import { HOOK_CONF_PATH, HOOK_D_PATH, HOOK_PATH } from '../../main/setup/handover-plan';
import { FAMILIES, writeFamilyRoot } from '../support/etc-trees';
import { FIXTURE_HOSTS } from '../support/hosts';
import { snapshot } from '../support/etc-snapshot';
import { cliPath } from '../support/session-libvirt';

// Acceptance 1 of issue 17: `vitrine setup plan --single-gpu --gpu …` on seed
// 001 (a second card, handed over without a reboot) and on the single-GPU
// host (the boot display) plans the hook instead of refusing; applied to a
// scratch root and undone, every file under etc/ is byte-identical.

const work = mkdtempSync(join(tmpdir(), 'vitrine-handover-setup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const env = { ...process.env, XDG_DATA_HOME: join(work, 'data'), HOME: join(work, 'home') };
mkdirSync(env.HOME, { recursive: true });

function vitrine(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cliPath, ...args], { cwd: work, env, encoding: 'utf8' }, (error, stdout, stderr) => done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

const debian = FAMILIES.find((f) => f.name === 'debian-grub-initramfs-tools')!;
let count = 0;
function newRoot(host: keyof typeof FIXTURE_HOSTS, extra: Record<string, string> = {}): string {
  const dir = join(work, `root-${++count}`);
  mkdirSync(dir);
  writeFamilyRoot({ ...debian, host: { ...FIXTURE_HOSTS[host], cmdline: FIXTURE_HOSTS[host].cmdline } }, dir);
  for (const [path, text] of Object.entries(extra)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text, { mode: 0o755 });
  }
  return dir;
}

const CASES = [
  { name: 'the single-GPU host (the boot display)', host: 'singleGpu' as const, gpu: '0c:00.0,0c:00.1', single: true },
  { name: "seed 001's RTX 3080 (a second card: no reboot)", host: 'seed001Ryzen' as const, gpu: '01:00.0,01:00.1', single: false },
];

describe('setup plan --single-gpu', () => {
  it.each(CASES)('$name: plans the hook, applies it, and undoes it byte for byte', async ({ host, gpu, single }) => {
    const root = newRoot(host);
    const before = snapshot(root);
    const planned = await vitrine(['setup', 'plan', '--root', root, '--single-gpu', '--gpu', gpu, '--user', 'alice', '--no-looking-glass-access', '--json']);
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as HostPlan;
    const writes = plan.steps.flatMap((s) => (s.kind === 'write' ? [s] : []));
    const hook = writes.find((s) => s.path === HOOK_PATH)!;
    expect(hook.mode).toBe(0o755);
    expect(hook.after).toContain('# vitrine-handover-hook 1');
    const conf = writes.find((s) => s.path === HOOK_CONF_PATH)!;
    expect(conf.after).toContain(`stop_display_manager=${single ? 'yes' : 'no'}`);
    expect(conf.after).toMatch(/^gpu=0000:..:00\.0$/m);
    // No vfio-pci at boot for a card handed over at VM start.
    expect(writes.map((s) => s.path)).not.toContain('/etc/modprobe.d/vitrine-vfio.conf');
    expect(JSON.stringify(plan.steps)).not.toContain('vfio-pci.ids');
    expect(plan.warnings.some((w) => w.includes('Restart libvirt'))).toBe(true);
    expect(plan.warnings.some((w) => w.includes('Single-GPU mode'))).toBe(single);

    const shown = await vitrine(['setup', 'plan', '--root', root, '--single-gpu', '--gpu', gpu, '--user', 'alice', '--no-looking-glass-access']);
    expect(shown.code).toBe(0);
    const applied = await vitrine(['setup', 'apply', '--root', root]);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(readFileSync(join(root, HOOK_PATH), 'utf8')).toBe(hook.after);
    expect(statSync(join(root, HOOK_PATH)).mode & 0o777).toBe(0o755);
    expect(statSync(join(root, HOOK_CONF_PATH)).mode & 0o777).toBe(0o644);

    const again = await vitrine(['setup', 'plan', '--root', root, '--single-gpu', '--gpu', gpu, '--user', 'alice', '--no-looking-glass-access', '--json']);
    expect((JSON.parse(again.stdout) as HostPlan).steps.filter((s) => s.kind === 'write')).toEqual([]);

    const undone = await vitrine(['setup', 'rollback', '--root', root, '--yes']);
    expect(undone.stderr).toBe('');
    expect(undone.code).toBe(0);
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(join(root, HOOK_PATH))).toBe(false);
  }, 240_000);

  it("leaves another program's qemu hook alone: Vitrine's goes to qemu.d/, and the undo keeps the other byte for byte", async () => {
    const theirs = '#!/bin/bash\n# PassthroughPOST hook helper\nGUEST_NAME="$1"\n';
    const root = newRoot('singleGpu', { [HOOK_PATH]: theirs });
    const before = snapshot(root);
    const planned = await vitrine(['setup', 'plan', '--root', root, '--single-gpu', '--gpu', '0c:00.0,0c:00.1', '--user', 'alice', '--no-looking-glass-access', '--json']);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as HostPlan;
    expect(plan.steps.map((s) => (s.kind === 'write' ? s.path : s.argv[0]))).toContain(HOOK_D_PATH);
    expect(plan.steps.some((s) => s.kind === 'write' && s.path === HOOK_PATH)).toBe(false);
    expect((await vitrine(['setup', 'apply', '--root', root])).code).toBe(0);
    expect(statSync(join(root, HOOK_D_PATH)).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(root, HOOK_PATH), 'utf8')).toBe(theirs);
    expect((await vitrine(['setup', 'rollback', '--root', root, '--yes'])).code).toBe(0);
    expect(snapshot(root)).toEqual(before);
  }, 240_000);

  it('without --single-gpu the boot display is still refused, with the way out', async () => {
    const root = newRoot('singleGpu');
    const planned = await vitrine(['setup', 'plan', '--root', root, '--gpu', '0c:00.0,0c:00.1', '--user', 'alice', '--no-looking-glass-access']);
    expect(planned.code).not.toBe(0);
    expect(planned.stderr).toContain('boot display');
    expect(planned.stderr).toContain('--single-gpu');
  });

  it('--single-gpu without --gpu says what to give', async () => {
    const root = newRoot('singleGpu');
    const planned = await vitrine(['setup', 'plan', '--root', root, '--single-gpu', '--user', 'alice', '--no-looking-glass-access']);
    expect(planned.code).not.toBe(0);
    expect(planned.stderr).toContain('--gpu');
  });
});
