import { spawn, type ChildProcess } from 'node:child_process';
import { which } from '../../main/host/which';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, createSessionUser, runCli, type SessionUser } from '../support/session-libvirt';
import { clearOwnShm, FAKE_CLIENT, SHM } from '../support/shm';

// `vitrine play` on a real qemu:///session: a tiny TCG VM with Looking Glass
// shared memory and a SPICE display, the stand-in client
// (test/fixtures/lookingglass/bin) as the Looking Glass client.
const NAME = 'vitrine-play';
let user: SessionUser;
let blocked: string | null = null;
const vitrine = (...args: string[]) => runCli(user, ['--connect', 'qemu:///session', ...args]);

const DOMAIN = `<domain type='qemu'>
  <name>${NAME}</name>
  <metadata>
    <vitrine:vm xmlns:vitrine='urn:vitrine:vm:1'>
      <vitrine:os>win11</vitrine:os>
      <vitrine:resolution width='1920' height='1080'/>
      <vitrine:lookingglass fullscreen='no'/>
    </vitrine:vm>
  </metadata>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <graphics type='spice' autoport='yes'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <video><model type='vga'/></video>
    <shmem name='looking-glass'>
      <model type='ivshmem-plain'/>
      <size unit='M'>32</size>
    </shmem>
  </devices>
</domain>
`;

beforeAll(async () => {
  user = await createSessionUser();
  blocked = clearOwnShm(user.uid);
  const file = join(user.home, 'play.xml');
  writeFileSync(file, DOMAIN);
  if (process.getuid?.() === 0) chownSync(file, user.uid, user.gid);
  await user.virsh('define', file);
});
afterAll(async () => {
  await user?.cleanup();
  if (user && !blocked) clearOwnShm(user.uid);
});

describe('vitrine play', () => {
  it('without a Looking Glass client: a clear error, and the VM is not started', async (ctx) => {
    if (blocked) ctx.skip(blocked);
    const { code, stderr, stdout } = await runCli(user, ['--connect', 'qemu:///session', 'play', NAME]);
    expect(code).toBe(1);
    expect(stdout).toContain('✗ Find Looking Glass: The Looking Glass client (looking-glass-client) was not found.');
    expect(stderr).toContain('Install Looking Glass B7, B7-NNN, B8-rcN, B8 (build the client from https://looking-glass.io/downloads');
    expect((await user.virsh('domstate', NAME)).trim()).toBe('shut off');
  });

  it('starts the VM and the client at the VM resolution with the live SPICE port; vm stop --force ends both', async (ctx) => {
    if (blocked) ctx.skip(blocked);
    const argvFile = join(user.home, 'lg-argv.json');
    // A virsh on PATH that notes each run, to count what Play asks libvirt.
    const bin = join(user.home, 'counting-bin');
    const virshLog = join(user.home, 'virsh-runs.log');
    mkdirSync(bin);
    writeFileSync(join(bin, 'virsh'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${virshLog}'\nexec '${(await which('virsh'))!}' "$@"\n`);
    chmodSync(join(bin, 'virsh'), 0o755);
    if (process.getuid?.() === 0) chownSync(bin, user.uid, user.gid);
    const play = spawn(process.execPath, [cliPath, '--connect', 'qemu:///session', '--client', FAKE_CLIENT, 'play', NAME], user.spawnOptions({ stdio: ['ignore', 'pipe', 'pipe'], env: { FAKE_LG_RUNS: 'wait', FAKE_LG_ARGV_FILE: argvFile, PATH: `${bin}:${user.env['PATH'] ?? ''}` } }));
    let out = '';
    let err = '';
    play.stderr!.on('data', (c) => (err += c));
    const exited = new Promise<number | null>((done) => play.on('close', done));
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`play did not open Looking Glass in 60 s:\n${out}\n${err}`)), 60_000);
      play.stdout!.on('data', (c) => {
        out += c;
        if (!out.includes('[waiting-for-guest]')) return;
        clearTimeout(timer);
        done();
      });
      play.on('close', () => {
        clearTimeout(timer);
        fail(new Error(`play exited early:\n${out}\n${err}`));
      });
    });
    expect(out).toContain('✓ Check the VM: No GPU attached');
    expect(out).toContain(`✓ Find Looking Glass: ${FAKE_CLIENT} (B7)`);
    expect(out).toContain('✓ Check the shared memory: 32 MiB at /dev/shm/looking-glass; 1920×1080 needs 32 MiB.');
    expect(out).toContain('✓ Start the VM: Running.');
    // Each check once, the results passed down, two virsh processes: dominfo with the definition, then the start
    // with the live XML (then the domain watcher's stream and its listing, in either order).
    const runs = readFileSync(virshLog, 'utf8').trim().split('\n');
    const beforeWatching = runs.slice(0, runs.findIndex((r) => r.includes('event --loop') || r.includes('/vitrine-listing/')) >>> 0);
    expect(beforeWatching, beforeWatching.join('\n')).toHaveLength(2);
    expect(beforeWatching[0]).toMatch(/dominfo --domain vitrine-play; echo .*; dumpxml --inactive --security-info --domain vitrine-play$/);
    expect(beforeWatching[1]).toMatch(/start --domain vitrine-play; echo .*; dumpxml --domain vitrine-play$/);
    expect((await user.virsh('domstate', NAME)).trim()).toBe('running');
    expect(statSync(SHM).size).toBe(32 * 1024 * 1024);
    const pid = Number(out.match(/Started \(pid (\d+)\)/)?.[1]);
    expect(pid).toBeGreaterThan(0);

    const argv = JSON.parse(readFileSync(argvFile, 'utf8')) as string[];
    const port = (await user.virsh('domdisplay', NAME)).trim().match(/:(\d+)$/)?.[1];
    expect(argv).toEqual(expect.arrayContaining(['app:shmFile=/dev/shm/looking-glass', 'win:size=1920x1080', 'win:fullScreen=no', 'spice:enable=yes', 'spice:host=127.0.0.1', `spice:port=${port}`, 'input:escapeKey=KEY_SCROLLLOCK']));
    // lg args prints the very same argv.
    const args = await vitrine('--client', FAKE_CLIENT, 'lg', 'args', NAME, '--json');
    expect(JSON.parse(args.stdout)).toMatchObject({ command: FAKE_CLIENT, argv, pending: null });

    const stop = await vitrine('vm', 'stop', NAME, '--timeout', '3', '--force');
    expect(stop.stdout + stop.stderr).toContain(`'${NAME}' did not shut down within 3 s and was forced off.`);
    expect(await exited).toBe(0);
    expect(out).toContain('[stopped] The VM stopped; Looking Glass was closed.');
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(SHM)).toBe(true); // QEMU leaves it (looking-glass.md); the next start reuses it

    // The client's output went to the troubleshooter.
    const diagnosed = await vitrine('diagnose', NAME, '--json');
    const result = JSON.parse(diagnosed.stdout) as { findings: { id: string }[]; collected: { source: string; status: string }[] };
    expect(result.collected).toContainEqual(expect.objectContaining({ source: 'looking-glass', status: 'read' }));
    expect(result.findings.map((f) => f.id)).toContain('lg-host-not-running');
  }, 120_000);

  it("a start that fails stops Play with the error vm start gives, for a name virsh's command line must quote", async (ctx) => {
    if (blocked) ctx.skip(blocked);
    const broken = `vitrine-play it's; "odd" #1`;
    const file = join(user.home, 'broken.xml');
    const disk = join(user.home, 'missing', 'disk.qcow2');
    writeFileSync(
      file,
      DOMAIN.replace(`<name>${NAME}</name>`, `<name>vitrine-play it&apos;s; &quot;odd&quot; #1</name>`).replace('<devices>', `<devices>\n    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/><target dev='vda' bus='virtio'/></disk>`),
    );
    if (process.getuid?.() === 0) chownSync(file, user.uid, user.gid);
    await user.virsh('define', file);
    const play = await vitrine('--client', FAKE_CLIENT, 'play', broken);
    expect(play.code).toBe(1);
    expect(play.stdout).toContain('✓ Check the shared memory');
    expect(play.stdout).toContain('✗ Start the VM: ');
    expect(play.stdout).toContain(disk);
    const start = await vitrine('vm', 'start', broken);
    expect(start.code).toBe(1);
    expect(play.stderr).toBe(start.stderr);
    expect((await user.virsh('domstate', broken)).trim()).toBe('shut off');
    await user.virsh('undefine', broken);
  });

  it('launches the real looking-glass-client under Xvfb, which waits for the host application', async (ctx) => {
    const real = await which('looking-glass-client');
    if (!real) {
      process.stdout.write('play.test: skipped the real-client test: no looking-glass-client on PATH (Debian 12 has no package; build B7 from source to run it).\n');
      ctx.skip('no looking-glass-client on PATH');
    }
    if (blocked) ctx.skip(blocked);
    const display = `:${90 + (process.pid % 9)}`;
    const xvfb: ChildProcess = spawn('Xvfb', [display, '-screen', '0', '1920x1080x24', '-nolisten', 'tcp'], user.spawnOptions({ stdio: 'ignore' }));
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const play = spawn(process.execPath, [cliPath, '--connect', 'qemu:///session', '--client', real!, 'play', NAME], user.spawnOptions({ stdio: ['ignore', 'pipe', 'pipe'], env: { DISPLAY: display } }));
      let out = '';
      play.stderr!.on('data', (c) => (out += c));
      const exited = new Promise<number | null>((done) => play.on('close', done));
      await new Promise<void>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no waiting line in 60 s:\n${out}`)), 60_000);
        play.stdout!.on('data', (c) => {
          out += c;
          if (!out.includes('[waiting-for-guest] Waiting for the Looking Glass host application')) return;
          clearTimeout(timer);
          done();
        });
      });
      expect(readFileSync(join(user.home, '.local', 'share', 'vitrine', 'lg', `${NAME}.log`), 'utf8')).toContain('Waiting for the host application');
      await vitrine('vm', 'kill', NAME);
      expect(await exited).toBe(0);
    } finally {
      xvfb.kill('SIGTERM');
    }
  }, 120_000);
});
