import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LookingGlassVmSettings, Monitor } from '../../shared/api';
import { buildClientArgv, checkArgv, type ArgvInput } from '../../main/lookingglass/argv';
import { classifyLine } from '../../main/lookingglass/classify';
import { describeClient, releaseFromOutput } from '../../main/lookingglass/client';
import { defaultResolution, parseXrandr, pickMonitor } from '../../main/host/monitors';
import { lookingGlassMiB } from '../../main/lookingglass/shm-size';
import { spiceEndpoint } from '../../main/lookingglass/spice';
import { readVitrineMetadata, setLookingGlassSettings } from '../../main/libvirt/vitrine-metadata';
import { parseDomainXml, serializeXml } from '../../main/libvirt/xml/document';
import { expectGolden } from '../support/golden';

const fixtures = join(import.meta.dirname, '..', 'fixtures');

describe('shared memory size (looking-glass.md table, B7 formula)', () => {
  const table: [number, number, number, number][] = [
    [1920, 1080, 32, 64],
    [1920, 1200, 32, 64],
    [2560, 1440, 64, 128],
    [3840, 2160, 128, 256],
  ];
  for (const [w, h, sdr, hdr] of table) {
    it(`${w}×${h}: ${sdr} MiB SDR, ${hdr} MiB HDR`, () => {
      expect(lookingGlassMiB(w, h)).toBe(sdr);
      expect(lookingGlassMiB(w, h, true)).toBe(hdr);
    });
  }
  it('rounds up to a power of two just past the boundary', () => {
    // 2048×1536×4×2 = 24 MiB + 10 = 34 → 64.
    expect(lookingGlassMiB(2048, 1536)).toBe(64);
    expect(lookingGlassMiB(1280, 720)).toBe(32);
  });
});

const SETTINGS: LookingGlassVmSettings = { resolution: { width: 2560, height: 1440 }, fullScreen: true, escapeKey: 'KEY_SCROLLLOCK', hdr: false };
const SIDE: Monitor = { name: 'DP-2', width: 2560, height: 1440, x: 1920, y: 0, primary: false };
const ARGV_CASES: { name: string; input: ArgvInput }[] = [
  { name: 'tcp-fullscreen', input: { vm: 'win11', shmFile: '/dev/shm/looking-glass', settings: SETTINGS, monitor: SIDE, spice: { kind: 'tcp', host: '127.0.0.1', port: 5901 } } },
  { name: 'kvmfr-windowed', input: { vm: 'Game VM', shmFile: '/dev/kvmfr0', settings: { ...SETTINGS, fullScreen: false, escapeKey: 'KEY_RIGHTCTRL' }, monitor: null, spice: { kind: 'socket', path: '/run/user/1000/spice.sock' } } },
  { name: 'no-spice', input: { vm: 'win10', shmFile: '/dev/shm/looking-glass', settings: { ...SETTINGS, resolution: { width: 1920, height: 1080 } }, monitor: null, spice: { kind: 'none', reason: 'none' } } },
  { name: 'pending-port', input: { vm: 'win11', shmFile: '/dev/shm/looking-glass', settings: SETTINGS, monitor: SIDE, spice: { kind: 'pending', host: '127.0.0.1' } } },
];

describe('the client argv', () => {
  for (const c of ARGV_CASES) {
    it(`${c.name} matches its golden and has no bare flag`, () => {
      const argv = buildClientArgv(c.input);
      expectGolden(join(fixtures, 'lookingglass', 'argv', `${c.name}.txt`), argv.join('\n') + '\n');
      expect(checkArgv(argv)).toEqual([]);
      // Booleans toggle when given bare or as a short flag: every one is name=value.
      for (const a of argv) expect(a).toMatch(/^[a-z]+:[A-Za-z]+=.+/);
      expect(argv.some((a) => a.startsWith('-'))).toBe(false);
    });
  }
  it('says yes/no for every boolean, never a bare name', () => {
    const argv = buildClientArgv(ARGV_CASES[1]!.input);
    expect(argv).toContain('win:fullScreen=no');
    expect(argv).toContain('spice:enable=yes');
    expect(argv).toContain('spice:port=0');
  });
  it('the launcher check catches what the client would ignore or misread', () => {
    expect(checkArgv(['-F', 'win:fullScreen', 'spice:enable=yes', 'win:title=a\nb'])).toEqual(['-F', 'win:fullScreen', 'win:title=a\nb']);
  });
});

describe('the SPICE endpoint from the domain', () => {
  const dom = (graphics: string) => parseDomainXml(`<domain type='kvm'><name>x</name><devices>${graphics}</devices></domain>`);
  it('reads the port of a running VM and its listen address', () => {
    expect(spiceEndpoint(dom(`<graphics type='spice' port='5901' autoport='yes' listen='127.0.0.1'><listen type='address' address='127.0.0.1'/></graphics>`))).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 5901 });
  });
  it('connects to loopback when SPICE listens on every address', () => {
    expect(spiceEndpoint(dom(`<graphics type='spice' port='5900' listen='0.0.0.0'/>`))).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 5900 });
  });
  it('knows the port is pending while an autoport VM is off', () => {
    expect(spiceEndpoint(dom(`<graphics type='spice' autoport='yes'><listen type='address' address='127.0.0.1'/></graphics>`))).toEqual({ kind: 'pending', host: '127.0.0.1' });
  });
  it('uses a socket path with port 0', () => {
    expect(spiceEndpoint(dom(`<graphics type='spice'><listen type='socket' socket='/tmp/s.sock'/></graphics>`))).toEqual({ kind: 'socket', path: '/tmp/s.sock' });
  });
  it('runs without SPICE when there is none', () => {
    expect(spiceEndpoint(dom(`<graphics type='vnc' port='5900'/>`)).kind).toBe('none');
    expect(spiceEndpoint(dom(`<graphics type='spice'><listen type='none'/></graphics>`)).kind).toBe('none');
  });
});

describe('monitors', () => {
  const XRANDR = `Screen 0: minimum 320 x 200, current 4480 x 1440, maximum 16384 x 16384
DP-1 connected primary 1920x1080+0+180 (normal left inverted right x axis y axis) 527mm x 296mm
   1920x1080     60.00*+
DP-2 connected 2560x1440+1920+0 (normal left inverted right x axis y axis) 597mm x 336mm
   2560x1440    143.97*+
HDMI-1 disconnected (normal left inverted right x axis y axis)
eDP-1 connected (normal left inverted right x axis y axis)
`;
  it('parses connected outputs with a mode, and the primary', () => {
    expect(parseXrandr(XRANDR)).toEqual([
      { name: 'DP-1', primary: true, width: 1920, height: 1080, x: 0, y: 180 },
      { name: 'DP-2', primary: false, width: 2560, height: 1440, x: 1920, y: 0 },
    ]);
  });
  it('takes the first output as primary when none is marked (Xvfb)', () => {
    expect(parseXrandr('screen connected 1280x1024+0+0 0mm x 0mm\n')[0]!.primary).toBe(true);
  });
  it('puts the window on the monitor that has the resolution, else the primary', () => {
    const monitors = parseXrandr(XRANDR);
    expect(pickMonitor(monitors, { width: 2560, height: 1440 })!.name).toBe('DP-2');
    expect(pickMonitor(monitors, { width: 3840, height: 2160 })!.name).toBe('DP-1');
    expect(pickMonitor([], { width: 3840, height: 2160 })).toBeNull();
  });
  it("defaults the guest resolution to the primary monitor's, then the setting, then 1080p", () => {
    expect(defaultResolution(parseXrandr(XRANDR), null)).toEqual({ width: 1920, height: 1080 });
    expect(defaultResolution([], { width: 2560, height: 1440 })).toEqual({ width: 2560, height: 1440 });
    expect(defaultResolution([], null)).toEqual({ width: 1920, height: 1080 });
  });
});

describe('the client and its output', () => {
  it('reads the release from the first log line', () => {
    expect(releaseFromOutput('[I]  1234  main.c:1 | main | Looking Glass (B7)\n')).toBe('B7');
    expect(releaseFromOutput('[I] Looking Glass (B6-rc1-12-gdeadbeef)')).toBe('B6-rc1-12-gdeadbeef');
    expect(releaseFromOutput('nothing')).toBeNull();
  });
  it('never runs as root, and warns on another release', () => {
    expect(describeClient('/usr/bin/looking-glass-client', 'B7', 0, null).problem?.kind).toBe('lg-root');
    expect(describeClient('/usr/bin/looking-glass-client', 'B7', 1000, null)).toMatchObject({ problem: null, warning: null });
    expect(describeClient('/usr/bin/looking-glass-client', 'B6', 1000, null).warning).toContain('supports B7');
    expect(describeClient('/usr/bin/looking-glass-client', null, 1000, null).warning).toContain("Could not read the client's release");
  });
  const lines: [string, Partial<ReturnType<typeof classifyLine>>][] = [
    ['[I] main.c:1 | main | Looking Glass (B7)', { release: 'B7' }],
    ['[I] main.c:1 | main | Waiting for the host application to start...', { state: 'waiting-for-guest', problem: null, fatal: false }],
    ['[I] main.c:1 | main | Check the host log in your guest at %ProgramData%\\Looking Glass (host)\\looking-glass-host.txt', { problem: 'lg-host-not-running' }],
    ['[W] main.c:1 | main | Recommend increase size to 64 MiB', { problem: 'lg-too-small', fatal: false, message: "The shared memory is too small for the guest's resolution: it needs 64 MiB." }],
    ['[E] main.c:1 | main | The host application is not compatible with this client', { problem: 'lg-version-mismatch', fatal: false }],
    ['[E] main.c:1 | main | Failed to open: /dev/shm/looking-glass', { problem: 'lg-shm-permission', fatal: true }],
    ['[E] main.c:1 | main |  Error: Invalid path to the ivshmem file specified', { problem: 'lg-shm-missing', fatal: true }],
    ['[E] main.c:1 | main | No display servers available, tried:', { problem: 'lg-no-display', fatal: true }],
    ['[E] main.c:1 | main | Failed to connect to spice server', { problem: 'lg-spice', fatal: true }],
    ['[I] main.c:1 | main | Host ready, reported version: B7', { state: 'running' }],
    ['[I] main.c:1 | main | Using: EGL', { state: null, problem: null, fatal: false }],
  ];
  for (const [line, meaning] of lines) {
    it(`classifies: ${line.split('| ').at(-1)}`, () => expect(classifyLine(line)).toMatchObject(meaning));
  }
});

describe("Looking Glass settings in the domain's metadata", () => {
  const input = readFileSync(join(fixtures, 'xml', 'edits', 'win11-defined-in.xml'), 'utf8');
  it('defaults: full screen, Scroll Lock, SDR', () => {
    expect(readVitrineMetadata(parseDomainXml('<domain><name>x</name></domain>'))).toEqual({ os: null, resolution: null, lookingGlass: { fullScreen: true, escapeKey: 'KEY_SCROLLLOCK', hdr: false }, handover: 'boot' });
  });
  it('creates <metadata> where libvirt writes it when a domain has none, and reads back what it wrote', () => {
    const doc = setLookingGlassSettings(parseDomainXml("<domain type='kvm'>\n  <name>x</name>\n  <memory>1</memory>\n</domain>\n"), { resolution: { width: 3840, height: 2160 }, hdr: true });
    expect(serializeXml(doc)).toBe(`<domain type='kvm'>
  <name>x</name>
  <metadata>
    <vitrine:vm xmlns:vitrine='urn:vitrine:vm:1'>
      <vitrine:resolution width='3840' height='2160'/>
      <vitrine:lookingglass hdr='yes'/>
    </vitrine:vm>
  </metadata>
  <memory>1</memory>
</domain>
`);
    expect(readVitrineMetadata(doc)).toMatchObject({ resolution: { width: 3840, height: 2160 }, lookingGlass: { hdr: true, fullScreen: true } });
  });
  it('changes only its own attributes in an existing block, idempotently', () => {
    const once = setLookingGlassSettings(parseDomainXml(input), { resolution: { width: 2560, height: 1440 }, fullScreen: false, escapeKey: 'KEY_RIGHTCTRL' });
    const twice = setLookingGlassSettings(once, { resolution: { width: 2560, height: 1440 }, fullScreen: false, escapeKey: 'KEY_RIGHTCTRL' });
    expect(serializeXml(twice)).toBe(serializeXml(once));
    expect(readVitrineMetadata(once).lookingGlass).toEqual({ fullScreen: false, escapeKey: 'KEY_RIGHTCTRL', hdr: false });
    const changed = serializeXml(once).split('\n').filter((l, i) => l !== input.split('\n')[i]);
    expect(changed.join('\n')).toMatch(/resolution|lookingglass/);
  });
  it('refuses a key name Looking Glass would not know', () => {
    expect(() => setLookingGlassSettings(parseDomainXml(input), { escapeKey: 'ScrollLock; rm' })).toThrow(/not a key name/);
  });
});
