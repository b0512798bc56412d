import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result, VmDefaults, VmSpec } from '../../shared/api';
import { Lifecycle } from '../../main/libvirt/lifecycle';
import { Virsh } from '../../main/libvirt/virsh';
import { VmService } from '../../main/libvirt/vm-service';
import { connectServe, cookieFor } from '../support/serve-client';
import { cliPath, createSessionUser, defineDomain, runCli, startServe, type SessionUser } from '../support/session-libvirt';
import { straceMissing, traced, within } from '../support/strace';

// A real qemu:///session of an unprivileged user: its own libvirtd, no root.
let user: SessionUser;
const NAME = 'vitrine cli test';

beforeAll(async () => {
  user = await createSessionUser();
  await defineDomain(user, NAME);
});
afterAll(async () => {
  await user?.cleanup();
});

describe('vitrine vm list', () => {
  it('prints the session domain with its state as JSON', async () => {
    const { code, stdout, stderr } = await runCli(user, ['vm', 'list', '--json', '--connect', 'qemu:///session']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as { uri: string; domains: { name: string; state: string; persistent: boolean }[] };
    expect(parsed.uri).toBe('qemu:///session');
    expect(parsed.domains).toEqual([expect.objectContaining({ name: NAME, state: 'shut-off', persistent: true, autostart: false })]);
  });

  it('takes the URI from VITRINE_LIBVIRT_URI and prints a table', async () => {
    const { code, stdout } = await runCli(
      { ...user, spawnOptions: (extra = {}) => user.spawnOptions({ ...extra, env: { VITRINE_LIBVIRT_URI: 'qemu:///session' } }) },
      ['vm', 'list'],
    );
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^NAME\s+STATE\s+AUTOSTART\s+PERSISTENT$/);
    expect(stdout).toMatch(/vitrine cli test\s+shut-off\s+no\s+yes/);
  });

  it('shows a running domain as running', async () => {
    await user.virsh('start', NAME);
    try {
      const { stdout } = await runCli(user, ['vm', 'list', '--json', '--connect', 'qemu:///session']);
      const domain = (JSON.parse(stdout) as { domains: { name: string; state: string; id: number | null }[] }).domains[0];
      expect(domain).toMatchObject({ name: NAME, state: 'running' });
      expect(domain?.id).toBeGreaterThan(0);
    } finally {
      await user.virsh('destroy', NAME);
    }
  });

  it('gives a one-line error naming a bad URI and what to check, with a non-zero exit', async () => {
    for (const uri of ['qemu+unix:///system?socket=/nonexistent/sock', 'nosuchdriver:///x']) {
      const { code, stdout, stderr } = await runCli(user, ['vm', 'list', '--json', '--connect', uri]);
      expect(code).not.toBe(0);
      expect(stdout).toBe('');
      const lines = stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`'${uri}'`);
      expect(lines[0]).toMatch(/Check /);
    }
  });
});

describe('vitrine CLI basics', () => {
  it('prints its version', async () => {
    const { code, stdout } = await runCli(user, ['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // After a global option too; --version alone defines no command group, --help still lists every one.
    expect((await runCli(user, ['--connect', 'qemu:///session', '-V'])).stdout).toBe(stdout);
    const help = await runCli(user, ['--help']);
    expect(help.code).toBe(0);
    for (const command of ['vm', 'play', 'lg', 'diagnose', 'setup', 'proxmox', 'doctor', 'serve', 'start']) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it.skipIf(straceMissing)('loads only what a command runs, each file as one-byte text', async () => {
    const bundle = dirname(cliPath);
    const loaded = async (args: string[]): Promise<string[]> => {
      const run = await traced(process.execPath, [cliPath, ...args], user.spawnOptions({ cwd: user.home }) as Parameters<typeof traced>[2]);
      expect(run.code, run.stderr).toBe(0);
      const files = run.calls.filter((c) => c.ok && /^open/.test(c.syscall)).flatMap((c) => c.paths).filter((p) => within(bundle, p) && p.endsWith('.cjs'));
      return [...new Set(files)].map((p) => p.slice(bundle.length + 1));
    };
    expect(await loaded(['--version'])).toEqual(['cli.cjs']);
    // vm list: the entry and one chunk (the libvirt reads grouped by cli.vite.config.ts), not one file per module.
    const list = await loaded(['--connect', 'qemu:///session', 'vm', 'list', '--json']);
    expect(list).toEqual(['cli.cjs', expect.stringMatching(/^cli\/libvirt-read-[\w-]+\.cjs$/)]);
    // Every file of the bundle ASCII only: one byte above 0x7f would make node decode and compile the whole file as two-byte text.
    for (const file of ['cli.cjs', ...readdirSync(join(bundle, 'cli')).map((name) => `cli/${name}`)]) {
      expect(readFileSync(join(bundle, file)).findIndex((byte) => byte > 0x7f), file).toBe(-1);
    }
  });

  it('refuses a bad port with a clear message', async () => {
    const { code, stderr } = await runCli(user, ['serve', '--port', 'eighty']);
    expect(code).not.toBe(0);
    expect(stderr).toContain("'eighty' is not a port number");
  });

  it('checks the URI before connecting: a typo is named as one, for serve too', async () => {
    for (const args of [['--connect', 'qemu:///sessoin', 'vm', 'list'], ['-c', 'qemu:///sessoin', 'serve']]) {
      const { code, stdout, stderr } = await runCli(user, args);
      expect(code).not.toBe(0);
      expect(stdout).toBe('');
      expect(stderr).toContain('did you mean qemu:///session?');
    }
  });

  it('refuses to listen beyond loopback without --allow-remote', async () => {
    const { code, stdout, stderr } = await runCli(user, ['--connect', 'qemu:///session', 'serve', '--host', '192.0.2.1']);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain('192.0.2.1 is not a loopback address');
    expect(stderr).toContain('--allow-remote');
  });
});

describe('vitrine vm create --dry-run', () => {
  // The wizard asks vm.defaults for its form, the user types a name and picks the
  // ISOs (the disk follows the name), and vm.create builds the domain with
  // VmService.create. The CLI must build the same domain from the same inputs.
  const windowsIso = '/srv/isos/Win11_24H2_English_x64.iso';
  const virtioIso = '/srv/isos/virtio-win-0.1.266.iso';
  const name = 'win11 from the cli';

  it('builds the domain the wizard builds for the same inputs, with networking that works on qemu:///session', async () => {
    const cli = await runCli(user, ['vm', 'create', '--dry-run', '--connect', 'qemu:///session', '--name', name, '--iso', windowsIso, '--virtio-iso', virtioIso]);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);

    const serve = await startServe(user);
    let spec: VmSpec;
    try {
      const client = await connectServe(serve.origin, await cookieFor(serve.url));
      const defaults = (await client.request('vm.defaults')) as Result<VmDefaults>;
      if (!defaults.ok) throw new Error(defaults.error.message);
      const form = defaults.value.spec;
      const dir = form.disk.path.slice(0, form.disk.path.lastIndexOf('/'));
      spec = { ...form, name, disk: { ...form.disk, path: `${dir}/${name}.qcow2` }, windowsIso, virtioIso };
      client.ws.close();
    } finally {
      serve.child.kill();
    }
    const virsh = new Virsh({ uri: 'test:///unused', binary: '/nonexistent/virsh' });
    const wizard = await new VmService(virsh, new Lifecycle({ virsh, dataDir: '/nonexistent' })).create(spec, { dryRun: true });

    expect(cli.stdout).toBe(wizard.xml.endsWith('\n') ? wizard.xml : `${wizard.xml}\n`);
    expect(cli.stdout).toContain("<interface type='user'>");
    expect(cli.stdout).toContain(`${name}.qcow2`);
  });

  it('names the option that is wrong, and creates nothing', async () => {
    const bad = await runCli(user, ['vm', 'create', '--dry-run', '--connect', 'qemu:///session', '--name', name, '--iso', 'relative.iso', '--virtio-iso', virtioIso, '--memory', '64']);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('--iso: Give an absolute path');
    expect(bad.stderr).toContain('--memory: At least 128 MiB');
  });
});
