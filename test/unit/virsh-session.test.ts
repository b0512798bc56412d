import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { batch, dumpXmlArgs, parseInfoAndXml, sessionCanRead, sessionInfoAndXml } from '../../main/libvirt/batch';
import { Lifecycle } from '../../main/libvirt/lifecycle';
import { markers, SessionEnded, sessionSafe, VirshSession } from '../../main/libvirt/session';
import { Virsh } from '../../main/libvirt/virsh';
import { classifyVirshFailure } from '../../main/libvirt/virsh-errors';
import { VitrineError } from '../../main/common/errors';

// The shell's framing against a stand-in that behaves as virsh's shell does on a pipe (prompt, echoed lines,
// --quiet outputs, errors on stderr), then against the real virsh on the test driver (no daemon needed).
const FAKE = new URL('../fixtures/virsh/fake-shell.mjs', import.meta.url).pathname;
const sessions: VirshSession[] = [];
const fake = (timeoutMs?: number): VirshSession => {
  const s = new VirshSession(process.execPath, [FAKE], process.env, timeoutMs);
  sessions.push(s);
  return s;
};
afterEach(() => {
  for (const s of sessions.splice(0)) s.kill();
});

describe('VirshSession framing', () => {
  it("gives each request the output between its markers: not the prompt, not the echoed line, not the next request's", async () => {
    const s = fake();
    // The echoed line holds the markers as written (quoted), which must not count as printed.
    expect(markers('ab12', 1).line('x')).toBe(`echo /vitrine-ab12-'b'-1/; x; echo /vitrine-ab12-'e'-1/\n`);
    expect(await s.request(`echo one; echo two`)).toEqual({ stdout: 'onetwo', stderr: '', code: 0 });
    // Output split into one-character chunks, with a quote, a ';' and a line end in it.
    expect(await s.request(`print 'it'\\''s; x'; dumpxml --domain 'a b'`)).toEqual({ stdout: `it's; x<domain><name>a b</name></domain>\n`, stderr: '', code: 0 });
    // Output that looks like a marker of another nonce or request is the command's own.
    expect((await s.request(`echo /vitrine-000000000000-e-3/`)).stdout).toBe('/vitrine-000000000000-e-3/');
  });

  it('queues requests asked at once, each with its own output and errors', async () => {
    const s = fake();
    const [a, b, c] = await Promise.all([s.request('fail first'), s.request('echo second'), s.request(`fail 'third one'; echo 3`)]);
    expect(a).toEqual({ stdout: '', stderr: 'error: first\n', code: 0 });
    expect(b).toEqual({ stdout: 'second', stderr: '', code: 0 });
    expect(c).toEqual({ stdout: '3', stderr: 'error: third one\n', code: 0 });
  });

  it('a process that dies mid-way rejects the request with what it printed and its status, then every later one', async () => {
    const s = fake();
    await s.request('echo up');
    const died = await s.request('fail going; die 3').catch((e: unknown) => e);
    expect(died).toBeInstanceOf(SessionEnded);
    expect((died as SessionEnded).why).toBe('ended');
    expect((died as SessionEnded).partial).toEqual({ stdout: 'half', stderr: 'error: going\n', code: 3 });
    expect(s.alive).toBe(false);
    await expect(s.request('echo again')).rejects.toBeInstanceOf(SessionEnded);
  });

  it('a request past its timeout rejects as a timeout and the process is killed', async () => {
    const s = fake();
    const hung = await s.request('hang', 300).catch((e: unknown) => e);
    expect(hung).toBeInstanceOf(SessionEnded);
    expect((hung as SessionEnded).why).toBe('timeout');
    await s.ended;
    expect(s.alive).toBe(false);
  });

  it('close() ends the shell after the queued requests (stdin ends: virsh quits)', async () => {
    const s = fake();
    const last = s.request('echo last');
    await s.close();
    expect(await last).toEqual({ stdout: 'last', stderr: '', code: 0 });
    expect(s.alive).toBe(false);
  });

  it('a binary that is not there ends the session: the request rejects, the caller runs virsh as before', async () => {
    const s = new VirshSession('/nonexistent/virsh', [], process.env);
    sessions.push(s);
    await expect(s.request('echo x')).rejects.toBeInstanceOf(SessionEnded);
    expect(await sessionInfoAndXml(s, 'x')).toBeNull();
  });

  it('refuses what readline would edit: control characters (a tab completes)', async () => {
    expect(sessionSafe(`dominfo --domain 'a b'`)).toBe(true);
    expect(sessionSafe(`dominfo --domain 'ünï ✓'`)).toBe(true);
    expect(sessionSafe(`dominfo --domain 'a\tb'`)).toBe(false);
    expect(sessionCanRead('a\x01b')).toBe(false);
    expect(sessionCanRead(`it's; odd`)).toBe(true);
    await expect(fake().request(`echo 'a\tb'`)).rejects.toThrow(/control characters/);
  });
});

describe('Lifecycle.startAndRead on a session', () => {
  const lifecycle = (): Lifecycle => new Lifecycle({ virsh: new Virsh({ uri: 'test:///fake' }), dataDir: mkdtempSync(join(tmpdir(), 'vitrine-session-')) });

  it('a failed start throws what a lone `virsh start` gives, and keeps its text', async () => {
    const l = lifecycle();
    const error = await l.startAndRead('bad vm', fake()).catch((e: unknown) => e);
    const stderr = `error: Failed to start domain 'bad vm'\nerror: Cannot access storage file '/nowhere/disk.qcow2': No such file or directory\n`;
    const alone = classifyVirshFailure('test:///fake', ['start', '--domain', 'bad vm'], stderr, 1);
    expect(error).toBeInstanceOf(VitrineError);
    expect((error as VitrineError).message).toBe(alone.message);
    expect((error as VitrineError).kind).toBe(alone.kind);
    expect(readFileSync(l.lastStartErrorFile('bad vm'), 'utf8')).toContain("Cannot access storage file '/nowhere/disk.qcow2'");
  });

  it('a good start gives the live XML as dumpxml prints it', async () => {
    expect(await lifecycle().startAndRead(`it's; odd`, fake())).toEqual({ liveXml: `<domain><name>it's; odd</name></domain>\n` });
  });

  it('a shell that dies during the start is a failed start with what it printed; a failed read after a good start is readError', async () => {
    const l = lifecycle();
    const died = await l.startAndRead('die now', fake()).catch((e: unknown) => e);
    const alone = classifyVirshFailure('test:///fake', ['start', '--domain', 'die now'], 'error: End of file while reading data: Input/output error\n', 2);
    expect((died as VitrineError).message).toBe(alone.message);
    expect((died as VitrineError).kind).toBe('connect');
    const read = await l.startAndRead('gone soon', fake());
    expect(read).toHaveProperty('readError');
    expect(((read as { readError: VitrineError }).readError).message).toBe(classifyVirshFailure('test:///fake', ['dumpxml', '--domain', 'gone soon'], "error: failed to get domain 'gone soon'\n", 1).message);
  });
});

// The real virsh's shell on the test driver: the same bytes as one-shot runs.
const virsh = spawnSync('virsh', ['--version']).status === 0;
describe.skipIf(!virsh)("virsh's own shell (test:///default)", () => {
  const real = (): VirshSession => {
    const s = new Virsh({ uri: 'test:///default' }).session();
    sessions.push(s);
    return s;
  };
  const oneShot = (command: string): { stdout: string; stderr: string } => {
    const { stdout, stderr } = spawnSync('virsh', ['--quiet', '--connect', 'test:///default', command], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    return { stdout, stderr };
  };
  // The test driver's CPU time moves between two runs.
  const steady = (r: { stdout: string; stderr: string }): { stdout: string; stderr: string } => ({ stdout: r.stdout.replace(/^CPU time:.*$/m, 'CPU time: -'), stderr: r.stderr });

  it('reads dominfo and the definition byte for byte as a one-shot batch, and parses them', async () => {
    const s = real();
    const commands = batch(['dominfo', '--domain', 'test'], dumpXmlArgs('test'));
    const ran = await s.request(commands);
    expect(ran.code).toBe(0);
    expect(steady(ran)).toEqual(steady(oneShot(commands)));
    expect(parseInfoAndXml(ran)?.summary.name).toBe('test');
    // The live XML as `virsh --quiet dumpxml` prints it (Virsh.run's).
    expect((await s.request(`dumpxml --domain test`)).stdout).toBe(oneShot('dumpxml --domain test').stdout);
  });

  it("a domain that does not exist: the one-shot's error, and the next request is clean", async () => {
    const s = real();
    const ran = await s.request(`dominfo --domain 'no such'`);
    expect(ran.stderr).toBe(oneShot(`dominfo --domain 'no such'`).stderr);
    expect(ran.stderr).toContain("failed to get domain 'no such'");
    expect(await s.request('echo next')).toEqual({ stdout: 'next', stderr: '', code: 0 });
  });

  it('a connection that fails ends the shell at once: the request rejects, the caller asks virsh alone', async () => {
    const s = new Virsh({ uri: 'qemu+unix:///session?socket=/nonexistent/sock' }).session();
    sessions.push(s);
    const failed = await s.request('dominfo --domain x').catch((e: SessionEnded) => e);
    expect(failed).toBeInstanceOf(SessionEnded);
    expect((failed as SessionEnded).partial.stderr).toContain('failed to connect to the hypervisor');
  });
});
