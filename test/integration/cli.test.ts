import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionUser, defineDomain, runCli, type SessionUser } from '../support/session-libvirt';

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
  });

  it('refuses a bad port with a clear message', async () => {
    const { code, stderr } = await runCli(user, ['serve', '--port', 'eighty']);
    expect(code).not.toBe(0);
    expect(stderr).toContain("'eighty' is not a port number");
  });
});
