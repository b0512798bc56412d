import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnoseResult, EditPreview } from '../../shared/api';
import { tempHostTree, writeHostTree } from '../support/host-tree';
import { FIXTURE_HOSTS } from '../support/hosts';
import { connectServe, cookieFor, type ServeClient } from '../support/serve-client';
import { cliPath, createSessionUser, defineDomain, repoRoot, runCli, startServe, type SessionUser } from '../support/session-libvirt';

const scratch = mkdtempSync(join(tmpdir(), 'vitrine-diagnose-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function vitrine(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** A long kernel log: 20,000 lines of ordinary noise with one failure in the middle. */
function longKernelLog(failure: string): { text: string; line: number } {
  const lines: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const t = (i * 0.137).toFixed(6).padStart(12);
    lines.push(
      [
        `[${t}] usb 1-${i % 7}: new high-speed USB device number ${i % 120} using xhci_hcd`,
        `[${t}] audit: type=1400 audit(1732176088.${i}:${i}): apparmor="STATUS" operation="profile_replace" name="libvirt-73833f34"`,
        `[${t}] vfio-pci 0000:01:00.0: enabling device (0000 -> 0003)`,
        `[${t}] virbr0: port 1(vnet${i % 9}) entered forwarding state`,
        `[${t}] kvm: vcpu${i % 12} TSC offset adjusted`,
      ][i % 5]!,
    );
  }
  lines.splice(12_345, 0, failure);
  return { text: lines.join('\n') + '\n', line: 12_346 };
}

describe('vitrine diagnose --log', () => {
  it('finds the one known failure in a long kernel log and prints it first with its evidence line', async () => {
    const { text, line } = longKernelLog('[ 1691.123456] kvm [4301]: vcpu0, guest rIP: 0xfffff80574e4a1b2 Unhandled WRMSR(0xc0010115) = 0x0');
    const file = join(scratch, 'kernel.log');
    writeFileSync(file, text);
    const { code, stdout } = await vitrine(['diagnose', '--log', file]);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('1. KMODE_EXCEPTION_NOT_HANDLED: unhandled MSRs  [kmode-msrs]');
    expect(lines[1]).toBe(`   ${file}:${line}: [ 1691.123456] kvm [4301]: vcpu0, guest rIP: 0xfffff80574e4a1b2 Unhandled WRMSR(0xc0010115) = 0x0`);
    expect(stdout).toContain('options kvm ignore_msrs=1 report_ignored_msrs=0');
    expect(stdout.match(/^\d+\. /gm)).toHaveLength(1);
  });

  it('the same in a long QEMU log, as JSON', async () => {
    const fixture = readFileSync(join(repoRoot, 'test', 'fixtures', 'diagnose', 'group-not-viable.qemu.log'), 'utf8');
    const noise = Array.from({ length: 5000 }, (_, i) => `2026-11-21T08:01:${String(i % 60).padStart(2, '0')}.000Z qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.01H:ECX.vmx [bit 5]`).join('\n');
    const file = join(scratch, 'qemu.log');
    writeFileSync(file, `${noise}\n${fixture}`);
    // Seed 003's host: 01:00.0 shares group 1 with its audio function (and the CPU bridge, which stays).
    const host = tempHostTree(FIXTURE_HOSTS.seed003Xeon);
    try {
      const { code, stdout } = await vitrine(['--sysfs-root', host.sys, '--proc-root', host.proc, 'diagnose', '--log', file, '--json']);
      expect(code).toBe(0);
      const result = JSON.parse(stdout) as DiagnoseResult;
      expect(result.findings[0]).toMatchObject({ id: 'group-not-viable', title: 'IOMMU group not viable' });
      expect(result.findings[0]!.evidence[0]!.text).toContain('group 1 is not viable');
      expect(result.findings[0]!.fix.length).toBeGreaterThan(0);
      expect(result.findings[0]!.oneClick).toEqual({
        kind: 'edit',
        label: 'Attach the whole group (0000:01:00.0, 0000:01:00.1)',
        edits: { attachPci: { addresses: ['0000:01:00.0', '0000:01:00.1'] } },
      });
    } finally {
      host.remove();
    }
  });

  it('reads standard input with --log -', async () => {
    const { stdout } = await vitrine(['diagnose', '--log', '-'], 'error: Failed to start domain \'w\'\nerror: Could not find matching device \'pci_0000_01_00_0\'\n');
    expect(stdout.split('\n')[0]).toContain('[device-missing]');
  });

  it('says so when nothing is known, and refuses to run on nothing', async () => {
    const file = join(scratch, 'fine.log');
    writeFileSync(file, 'everything is fine\n');
    expect((await vitrine(['diagnose', '--log', file])).stdout).toContain('No known problem found.');
    const none = await vitrine(['diagnose']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('Give a VM name, or --log FILE');
    expect((await vitrine(['diagnose', '--log', join(scratch, 'missing.log')])).stderr).toContain('does not exist');
  });
});

describe('vitrine diagnose with plain words, as the Troubleshoot page', () => {
  it('"error 127" prints the reset entry first (no VM of that name)', async () => {
    const { code, stdout } = await vitrine(['diagnose', 'error 127']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('1. Error 127: the GPU did not reset  [reset-bug-127]');
    expect(stdout).toContain('vendor-reset');
  });

  it('the words unquoted, and with --search, give the same', async () => {
    const quoted = await vitrine(['diagnose', 'error 127']);
    const unquoted = await vitrine(['diagnose', 'error', '127']);
    const search = await vitrine(['diagnose', '--search', 'error 127']);
    expect(unquoted.stdout).toBe(quoted.stdout);
    expect(search.stdout).toBe(quoted.stdout);
  });

  it.each([
    ['black screen in looking glass', 'lg-black-screen'],
    ['stutter', 'mouse-only-on-click'],
  ])('"%s" finds [%s]', async (words, id) => {
    const { code, stdout } = await vitrine(['diagnose', '--search', words]);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toContain(`[${id}]`);
  });

  it('says when nothing is known and shows the closest entries, in text and JSON', async () => {
    const text = await vitrine(['diagnose', '--search', 'stuter']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe('Nothing known matches "stuter". The closest known problems:');
    expect(text.stdout).toContain('1. The mouse moves only when I click  [mouse-only-on-click]');
    const json = JSON.parse((await vitrine(['diagnose', '--search', 'zzqx frobnicate', '--json'])).stdout) as { query: string; found: boolean; problems: { id: string }[] };
    expect(json).toMatchObject({ query: 'zzqx frobnicate', found: false });
    expect(json.problems).toHaveLength(3);
    const found = JSON.parse((await vitrine(['diagnose', 'error 127', '--json'])).stdout) as { found: boolean; problems: { id: string }[] };
    expect(found.found).toBe(true);
    expect(found.problems[0]!.id).toBe('reset-bug-127');
  });

  it('--search takes the words alone', async () => {
    const both = await vitrine(['diagnose', 'win11', '--search', 'stutter']);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('--search takes the words alone');
  });
});

describe("libvirt's exact wording, through the CLI", () => {
  it("recognises Unknown PCI header type '127' for device '0000:01:00.0' (the address quoted)", async () => {
    const { code, stdout } = await vitrine(['diagnose', '--log', '-'], "error: Failed to start domain 'win11'\nerror: internal error: Unknown PCI header type '127' for device '0000:01:00.0'\n");
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('1. Error 127: the GPU did not reset  [reset-bug-127]');
    expect(stdout).not.toContain('No known problem found.');
  });

  it('a kernel log with IOMMU groups and a vfio-pci probe error -22 does not say the IOMMU is off', async () => {
    const log = [
      '[    0.046142] DMAR: IOMMU enabled',
      '[    1.912345] pci 0000:01:00.0: Adding to iommu group 13',
      '[    3.201388] vfio-pci 0000:01:00.0: probe with driver vfio-pci failed with error -22',
      '',
    ].join('\n');
    const file = join(scratch, 'groups-22.log');
    writeFileSync(file, log);
    const { stdout } = await vitrine(['diagnose', '--log', file, '--json']);
    const result = JSON.parse(stdout) as DiagnoseResult;
    expect(result.findings[0]!.title).toBe('Error -22 with the IOMMU on: vfio-pci refused the device');
    expect(result.findings[0]!.explanation).toContain('so the IOMMU is on');
    expect(result.findings.map((f) => f.title)).not.toContain('Error -22: the IOMMU is off');
  });
});

describe('diagnosing a VM of a real session libvirt', () => {
  let user: SessionUser;
  let serve: { url: string; origin: string; child: ChildProcess };
  let client: ServeClient;
  const NAME = 'diag-vm';

  beforeAll(async () => {
    user = await createSessionUser();
    await defineDomain(user, NAME);
    serve = await startServe(user);
    client = await connectServe(serve.origin, await cookieFor(serve.url));
  });
  afterAll(async () => {
    client?.ws.close();
    serve?.child.kill('SIGTERM');
    await user?.cleanup();
  });

  it('vitrine diagnose NAME still diagnoses the VM; a word that names no VM is searched', async () => {
    const vm = await runCli(user, ['-c', 'qemu:///session', 'diagnose', NAME, '--json']);
    expect(vm.code).toBe(0);
    expect(JSON.parse(vm.stdout)).toHaveProperty('collected');
    const words = await runCli(user, ['-c', 'qemu:///session', 'diagnose', 'stutter']);
    expect(words.code).toBe(0);
    expect(words.stdout.split('\n')[0]).toContain('[mouse-only-on-click]');
    expect(words.stderr).toContain("no VM is called 'stutter'");
  });

  it('turns a failed start into a finding, from the kept error and the QEMU log', async () => {
    // Seed 003's card, from its fixture host: this machine has none, so the start fails.
    const host = writeHostTree(FIXTURE_HOSTS.seed003Xeon, join(user.home, 'host'));
    expect((await runCli(user, ['-c', 'qemu:///session', '--sysfs-root', host.sys, 'vm', 'xml', NAME, '--attach-gpu', '0000:01:00.0', '--apply'])).code).toBe(0);
    expect((await runCli(user, ['-c', 'qemu:///session', 'vm', 'start', NAME])).code).not.toBe(0);
    const { code, stdout } = await runCli(user, ['-c', 'qemu:///session', 'diagnose', NAME, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as DiagnoseResult;
    expect(result.findings[0]?.id).toBe('no-iommu-22');
    expect(result.findings[0]!.evidence.some((e) => e.label === 'the last failed start' && e.text.includes("host doesn't support passthrough"))).toBe(true);
    expect(result.collected.map((c) => c.source)).toEqual(expect.arrayContaining(['virsh', 'qemu-log', 'kernel-log', 'domain-xml']));
    for (const c of result.collected.filter((x) => x.status === 'unavailable')) expect(c.note.length).toBeGreaterThan(20);
  });

  it("a one-click fix previews exactly the manual action's diff, and applies nothing by itself", async () => {
    const before = await user.virsh('dumpxml', '--inactive', NAME);
    const diag = (await client.request('diagnose.run', {
      name: NAME,
      texts: [{ source: 'pasted', label: 'me', text: 'Device Manager: Windows has stopped this device because it has reported problems. (Code 43)' }],
    })) as { ok: boolean; value: DiagnoseResult };
    const code43 = diag.value.findings.find((f) => f.id === 'code-43')!;
    expect(code43.oneClick).toEqual({ kind: 'edit', label: 'Hide the hypervisor (method B)', edits: { hideHypervisor: { method: 'b' } } });
    expect(await user.virsh('dumpxml', '--inactive', NAME)).toBe(before);

    const preview = (await client.request('vm.previewEdits', { name: NAME, edits: code43.oneClick!.kind === 'edit' ? code43.oneClick!.edits : {} })) as { value: EditPreview };
    const manual = await runCli(user, ['-c', 'qemu:///session', 'vm', 'xml', NAME, '--hide-hypervisor', 'b', '--diff']);
    expect(preview.value.diff).not.toBe('');
    expect(`${preview.value.diff}\n`.replace(/\n+$/, '\n')).toBe(manual.stdout.replace(/\n+$/, '\n'));
    expect(await user.virsh('dumpxml', '--inactive', NAME)).toBe(before);
  });
});
