import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createRegistry } from '../../main/api/registry';
import { startServer, type RunningServer } from '../../main/web/serve';
import { SAMPLE_DOMAIN, staticServices } from '../support/static-services';

let server: RunningServer;
let base: string;

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((done, fail) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

function upgrade(headers: Record<string, string>): Promise<{ opened: boolean; status?: number; socket?: WebSocket; messages?: unknown[] }> {
  return new Promise((done) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api`, { headers });
    // Collect from the start: the first event may arrive with the handshake.
    const messages: unknown[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    ws.on('open', () => done({ opened: true, socket: ws, messages }));
    ws.on('unexpected-response', (_req, res) => done({ opened: false, status: res.statusCode }));
    ws.on('error', () => done({ opened: false }));
  });
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vitrine-renderer-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Vitrine</title>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  const services = staticServices([SAMPLE_DOMAIN]);
  server = await startServer({ host: '127.0.0.1', port: 0, registry: createRegistry(services), events: services.events, rendererDir: dir });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.close());

const cookie = (): string => `vitrine-token-${server.port}=${server.token}`;

describe('vitrine serve', () => {
  it('prints a loopback URL that carries the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses requests without the token', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/assets/app.js')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(401);
    expect((await get('/', { Cookie: `vitrine-token-${server.port}=wrong` })).status).toBe(401);
  });

  it('trades the URL token for an HttpOnly SameSite cookie', async () => {
    const res = await get(`/?token=${server.token}`);
    expect(res.status).toBe(302);
    expect(res.headers['location']).toBe('/');
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('serves the UI with the CSP to a holder of the cookie', async () => {
    const res = await get('/', { Cookie: cookie() });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Vitrine</title>');
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
  });

  it('does not serve files outside the UI folder', async () => {
    expect((await get('/..%2f..%2fetc%2fpasswd', { Cookie: cookie() })).status).toBe(404);
  });

  it('refuses another Host (DNS rebinding)', async () => {
    expect((await get('/', { Cookie: cookie(), Host: `evil.example:${server.port}` })).status).toBe(403);
  });

  it('refuses cross-origin and token-less WebSocket upgrades', async () => {
    expect(await upgrade({ Cookie: cookie(), Origin: 'http://evil.example' })).toMatchObject({ opened: false, status: 403 });
    expect(await upgrade({ Origin: base })).toMatchObject({ opened: false, status: 401 });
  });

  it('answers requests and pushes events on a same-origin socket', async () => {
    const { opened, socket, messages = [] } = await upgrade({ Cookie: cookie(), Origin: base });
    expect(opened).toBe(true);
    const next = (match: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> =>
      new Promise((done) => {
        const check = (): boolean => {
          const found = messages.find((m) => match(m as Record<string, unknown>));
          if (found) done(found as Record<string, unknown>);
          return !!found;
        };
        if (!check()) socket!.on('message', () => check());
      });
    expect(await next((m) => m['event'] === 'domains.changed')).toEqual({ event: 'domains.changed', payload: { domains: [SAMPLE_DOMAIN], error: null } });
    socket!.send(JSON.stringify({ id: 1, channel: 'domains.list' }));
    expect(await next((m) => m['id'] === 1)).toEqual({ id: 1, result: { ok: true, value: [SAMPLE_DOMAIN] } });
    socket!.send(JSON.stringify({ id: 2, channel: 'app.info', args: { evil: true } }));
    expect(await next((m) => m['id'] === 2)).toMatchObject({ result: { ok: false, error: { kind: 'invalid-argument' } } });
    socket!.close();
  });
});
