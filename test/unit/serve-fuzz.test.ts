import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createRegistry } from '../../main/api/registry';
import { MAX_MESSAGE_BYTES, startServer, type RunningServer } from '../../main/web/serve';
import { SAMPLE_DOMAIN, staticServices } from '../support/static-services';

// `vitrine serve` must survive whatever a page or another local program sends:
// malformed frames close that connection only. Everything stays on loopback,
// bounded in count (10,000 frames) and time.

const TOKEN = 'fuzz-token-0123456789abcdef';
let server: RunningServer;
let dir: string;
let port: number;
const cookie = (): string => `vitrine-token-${port}=${TOKEN}`;

/** A client frame: masked unless told otherwise, with optional RSV bits and a declared length that may lie. */
function frame(opcode: number, payload: Buffer, options: { fin?: boolean; rsv?: number; masked?: boolean; declaredLength?: number } = {}): Buffer {
  const fin = options.fin ?? true;
  const masked = options.masked ?? true;
  const length = options.declaredLength ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | (opcode & 0x0f)];
  const maskBit = masked ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(length);
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(BigInt(length));
  }
  if (!masked) return Buffer.concat([Buffer.from(head), extended, payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ key[i % 4]!));
  return Buffer.concat([Buffer.from(head), extended, key, body]);
}

const closeCode = (code: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return b;
};

/** The malformed and hostile frames, one kind per index. */
function badFrame(i: number): Buffer {
  switch (i % 14) {
    case 0:
      return randomBytes(1 + (i % 64)); // noise
    case 1:
      return frame(0x1, Buffer.from([0xc3, 0x28, 0xa0, 0xa1])); // invalid UTF-8 text
    case 2:
      return frame(0x1, Buffer.from('{"id":1,"channel":"domains.list"}'), { masked: false }); // unmasked
    case 3:
      return frame(3 + (i % 5), Buffer.from('x')); // reserved data opcodes 3-7
    case 4:
      return frame(0xb + (i % 5), Buffer.from('x')); // reserved control opcodes 0xB-0xF
    case 5:
      return frame(0x1, Buffer.from('{}'), { rsv: 1 + (i % 7) }); // RSV bits without an extension
    case 6:
      return frame(0x9, Buffer.alloc(200, 1)); // oversized ping
    case 7:
      return frame(0x8, closeCode([0, 999, 1004, 1005, 1006, 2999, 5000][i % 7]!)); // bad close codes
    case 8:
      return frame(0x0, Buffer.from('stray continuation')); // continuation with nothing to continue
    case 9:
      return frame(0x1, Buffer.alloc(0), { declaredLength: MAX_MESSAGE_BYTES + 1 }); // oversized message (header only)
    case 10:
      return frame(0x9, Buffer.from('ping'), { fin: false }); // fragmented control frame
    case 11:
      return frame(0x1, Buffer.from('not json at all')); // invalid JSON
    case 12:
      return frame(0x1, Buffer.from(JSON.stringify({ id: 'x', channel: 42 }))); // wrong shape
    default:
      return frame(0x1, Buffer.from(JSON.stringify({ id: i, channel: 'vm.details', args: { name: 'a/b'.repeat(i % 50) } }))); // refused by the schema
  }
}

/** Open a WebSocket by hand, send `frames`, and resolve when the server has closed it or after a short while. */
function rawSession(frames: Buffer[]): Promise<void> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    let upgraded = false;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      done();
    };
    const timer = setTimeout(finish, 2000);
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('connect', () => {
      socket.write(
        `GET /api HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://127.0.0.1:${port}\r\nCookie: ${cookie()}\r\n` +
          `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`,
      );
    });
    socket.on('data', (data) => {
      if (upgraded) return;
      if (!data.toString('latin1').startsWith('HTTP/1.1 101')) return finish();
      upgraded = true;
      for (const f of frames) if (!socket.destroyed) socket.write(f);
      // The server answers or closes; either way, end this session soon.
      setTimeout(finish, 50);
    });
  });
}

function request(channel: string, args?: unknown): Promise<unknown> {
  return new Promise((done, fail) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { headers: { Cookie: cookie(), Origin: `http://127.0.0.1:${port}` } });
    ws.on('error', fail);
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
      if (message.id === 1) {
        ws.close();
        done(message.result);
      }
    });
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, channel, args })));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vitrine-fuzz-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Vitrine</title>');
  server = await startServer({ host: '127.0.0.1', port: 0, registry: createRegistry(staticServices([SAMPLE_DOMAIN])), events: staticServices([SAMPLE_DOMAIN]).events, rendererDir: dir, token: TOKEN });
  port = server.port;
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('vitrine serve under malformed and hostile frames', () => {
  it('answers normally before', async () => {
    expect(await request('domains.list')).toEqual({ ok: true, value: [SAMPLE_DOMAIN] });
  });

  it('survives 10,000 malformed frames and oversized messages, closing only the offending connections', async () => {
    const total = 10_000;
    const perSession = 20;
    let sent = 0;
    const sessions: Buffer[][] = [];
    for (let s = 0; s < total / perSession; s++) {
      sessions.push(Array.from({ length: perSession }, () => badFrame(sent++)));
    }
    expect(sent).toBe(total);
    // 25 connections at a time, all on loopback.
    for (let i = 0; i < sessions.length; i += 25) await Promise.all(sessions.slice(i, i + 25).map((frames) => rawSession(frames)));
    expect(await request('domains.list')).toEqual({ ok: true, value: [SAMPLE_DOMAIN] });
  }, 120_000);

  it('answers a message larger than the old 1 MiB cap (a pasted log) with the schema, not a dropped connection', async () => {
    const text = 'x'.repeat(1_500_000);
    const result = (await request('diagnose.run', { texts: [{ source: 'pasted', label: 'pasted', text }] })) as { ok: boolean };
    expect(result.ok).toBe(true);
  });

  it('refuses a pasted text over the schema limit with a message that says what to do', async () => {
    const text = 'x'.repeat(8 * 1024 * 1024 + 1);
    const result = (await request('diagnose.run', { texts: [{ source: 'pasted', label: 'pasted', text }] })) as { ok: false; error: { message: string } };
    expect(result.ok).toBe(false);
    expect(result.error.message).toMatch(/at most 8 MiB: paste the last part of the log/);
  });
});

describe('vitrine serve beyond loopback', () => {
  const base = { port: 0, registry: createRegistry(staticServices([])), events: staticServices([]).events, token: TOKEN };

  it('refuses a non-loopback address without allowRemote, and any wildcard address', async () => {
    await expect(startServer({ ...base, host: '192.0.2.10', rendererDir: dir })).rejects.toMatchObject({ kind: 'remote-refused', message: expect.stringContaining('not a loopback address') });
    await expect(startServer({ ...base, host: '0.0.0.0', allowRemote: true, rendererDir: dir })).rejects.toMatchObject({ kind: 'remote-refused', message: expect.stringContaining('every interface') });
    await expect(startServer({ ...base, host: '::', allowRemote: true, rendererDir: dir })).rejects.toMatchObject({ kind: 'remote-refused' });
  });

  it('keeps the Host check on another loopback address (127.0.0.2)', async () => {
    const other = await startServer({ ...base, host: '127.0.0.2', rendererDir: dir });
    try {
      const ask = (host: string): Promise<number> =>
        new Promise((done) => {
          const socket = connect(other.port, '127.0.0.2');
          socket.on('data', (d) => {
            done(Number(d.toString('latin1').split(' ')[1]));
            socket.destroy();
          });
          socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nCookie: vitrine-token-${other.port}=${TOKEN}\r\nConnection: close\r\n\r\n`);
        });
      expect(await ask(`127.0.0.2:${other.port}`)).toBe(200);
      expect(await ask(`evil.example:${other.port}`)).toBe(403);
    } finally {
      await other.close();
    }
  });
});
