import { describe, expect, it } from 'vitest';
import { run, runFile, spawnDetached, spawnStreaming, startWaiting, type RunError } from '../../main/common/process';
import { waitGone } from '../support/session-libvirt';

// The one process module, with real processes: a Node one-liner stands in for each program.
const node = process.execPath;
const script = (code: string): string[] => ['-e', code];

describe('run', () => {
  it('runs an argv (no shell) in the C locale and gives stdout and stderr', async () => {
    const result = await run(node, script("process.stdout.write(process.env.LC_ALL); process.stderr.write('note')"), { timeoutMs: 10_000 });
    expect(result).toEqual({ stdout: 'C', stderr: 'note' });
    // `node -e CODE ARG`: argv[1] is the first argument after the code, passed as is.
    const withArg = await run(node, [...script('process.stdout.write(process.argv[1])'), '$HOME; echo no shell'], { timeoutMs: 10_000 });
    expect(withArg.stdout).toBe('$HOME; echo no shell');
  });

  it('keeps the given environment under the C locale, and feeds input', async () => {
    const env = await run(node, script('process.stdout.write(`${process.env.VITRINE_X}/${process.env.LC_ALL}`)'), { timeoutMs: 10_000, env: { PATH: process.env['PATH'], VITRINE_X: 'y', LC_ALL: 'fr_FR.UTF-8' } });
    expect(env.stdout).toBe('y/C');
    const echoed = await run(node, script('process.stdin.pipe(process.stdout)'), { timeoutMs: 10_000, input: 'plan text\n' });
    expect(echoed.stdout).toBe('plan text\n');
  });

  it('rejects a failing exit with its code, stdout and stderr', async () => {
    const error = (await run(node, script("process.stdout.write('out'); process.stderr.write('error: nope'); process.exit(3)"), { timeoutMs: 10_000 }).catch((e: unknown) => e)) as RunError;
    expect(error.code).toBe(3);
    expect(error.stdout).toBe('out');
    expect(error.stderr).toBe('error: nope');
    await expect(runFile(node, script('process.exit(1)'))).rejects.toMatchObject({ code: 1, stderr: '' });
  });

  it('rejects a missing program with ENOENT and a slow one as killed', async () => {
    await expect(run('/nonexistent/vitrine-no-such-tool', [], { timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'ENOENT' });
    const slow = (await run(node, script('setTimeout(() => {}, 20000)'), { timeoutMs: 300, killSignal: 'SIGKILL' }).catch((e: unknown) => e)) as RunError;
    expect(slow.killed).toBe(true);
    expect(slow.signal).toBe('SIGKILL');
  });
});

describe('spawnStreaming', () => {
  it('streams lines from both streams, and settles with the exit code after the last line', async () => {
    const lines: string[] = [];
    const chunks: string[] = [];
    const child = spawnStreaming(node, script("console.log('one'); console.error('two'); process.stdout.write('three'); process.exitCode = 4"), {
      onLine: (line, stream) => lines.push(`${stream}:${line}`),
      onOutput: (chunk) => chunks.push(chunk),
    });
    expect(child.pid).toBeGreaterThan(0);
    const exit = await child.exited;
    expect(exit).toEqual({ code: 4, signal: null, error: null });
    expect(lines.sort()).toEqual(['stderr:two', 'stdout:one', 'stdout:three']);
    expect(chunks.join('')).toContain('three');
  });

  it('can be killed, and says why it could not start', async () => {
    let ready: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (ready = resolve));
    const child = spawnStreaming(node, script("process.on('SIGTERM', () => { console.log('bye'); process.exit(0); }); console.log('ready'); setInterval(() => {}, 1000)"), {
      onLine: (line) => line === 'ready' && ready(),
    });
    await started;
    expect(child.kill()).toBe(true);
    expect((await child.exited).code).toBe(0);
    const hard = spawnStreaming(node, script('setInterval(() => {}, 1000)'));
    hard.kill('SIGKILL');
    expect(await hard.exited).toMatchObject({ code: null, signal: 'SIGKILL' });
    const missing = spawnStreaming('/nonexistent/vitrine-no-such-tool', []);
    expect(missing.pid).toBeNull();
    const exit = await missing.exited;
    expect(exit.error?.code).toBe('ENOENT');
  });

  it('passes the environment as given', async () => {
    let seen = '';
    await spawnStreaming(node, script('console.log(process.env.VITRINE_X ?? "unset")'), { env: { PATH: process.env['PATH'], VITRINE_X: 'z' }, onLine: (line) => (seen = line) }).exited;
    expect(seen).toBe('z');
  });
});

describe('spawnDetached', () => {
  it('starts a program that outlives the call, and rejects one that cannot start', async () => {
    const { pid } = await spawnDetached(node, script('setTimeout(() => {}, 200)'));
    expect(pid).toBeGreaterThan(0);
    await expect(spawnDetached('/nonexistent/vitrine-no-such-viewer', [])).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('startWaiting', () => {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
  const echo = script("process.stdout.write('early '); let input = ''; process.stdin.on('data', (d) => (input += d)); process.stdin.on('end', () => { process.stdout.write(input.toUpperCase()); process.stderr.write('done'); })");

  it('keeps what it printed before its use, gives it its input, and settles when it ended', async () => {
    const child = startWaiting(node, echo, { env, maxBuffer: 1024 });
    expect(child.alive).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const ran = await child.use('dominfo\n', 10_000);
    expect(ran).toEqual({ stdout: 'early DOMINFO\n', stderr: 'done', code: 0, signal: null, killed: false, overflow: false });
    expect(child.alive).toBe(false);
  });

  it('kills it at the timeout or past maxBuffer, and says which', async () => {
    const stuck = startWaiting(node, script('setInterval(() => {}, 1000)'), { env, maxBuffer: 1024 });
    expect(await stuck.use('x\n', 300)).toMatchObject({ killed: true, overflow: false, signal: 'SIGKILL' });
    const loud = startWaiting(node, script("process.stdin.on('end', () => process.stdout.write('x'.repeat(1 << 16))); process.stdin.resume(); setInterval(() => {}, 1000)"), { env, maxBuffer: 1024 });
    expect(await loud.use('', 10_000)).toMatchObject({ killed: false, overflow: true, signal: 'SIGKILL' });
  });

  it('is not alive when it could not start or ended by itself, and can be ended unused', async () => {
    const missing = startWaiting('/nonexistent/vitrine-no-such-virsh', [], { env, maxBuffer: 1024 });
    expect(missing.alive).toBe(false);
    // Node gives the spawn's errno as the code (-2, ENOENT); never 0.
    const ran = await missing.use('x\n', 5_000);
    expect(ran.killed).toBe(false);
    expect(ran.code).not.toBe(0);
    const quick = startWaiting(node, script('process.exit(1)'), { env, maxBuffer: 1024 });
    for (let waited = 0; quick.alive && waited < 5_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(quick.alive).toBe(false);
    const unused = startWaiting(node, echo, { env, maxBuffer: 1024 });
    const pid = unused.pid!;
    unused.kill();
    expect(unused.alive).toBe(false);
    await waitGone(pid);
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
