import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventName } from '../../shared/api';
import { EVENT_NAMES } from '../../shared/event-fanout';
import type { Registry } from '../api/registry';
import type { EventSources } from '../services/index';
import { contentSecurityPolicy } from './csp';
import { readUiFile } from './ui-files';
import { VitrineError } from '../common/errors';
import { msg } from '../../shared/i18n/message';

export interface ServeOptions {
  /** A loopback address, or (with allowRemote) the one address or name the other machines use. */
  host: string;
  /** Listen on a non-loopback address (the CLI's --allow-remote). */
  allowRemote?: boolean;
  port: number;
  registry: Registry;
  events: EventSources;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Fixed token (tests); a random one per run otherwise. */
  token?: string;
}

export interface RunningServer {
  /** The URL to open, with the token. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['localhost', '::1', '[::1]']);

/** A loopback address or name: localhost, ::1, or anything in 127.0.0.0/8. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** An address that names no one host (every interface): the Host check would have nothing to check against. */
export function isWildcard(host: string): boolean {
  return ['0.0.0.0', '::', '[::]', ''].includes(host);
}

/**
 * The largest WebSocket message accepted. The largest request the schemas
 * allow in practice is one pasted log of 8 MiB (diagnose.run), which JSON
 * escaping can make up to about three times longer; a bigger message closes
 * that connection (1009) and the page reconnects. The schema then answers a
 * too-long text with its own message.
 */
export const MAX_MESSAGE_BYTES = 24 * 1024 * 1024;

/**
 * `vitrine serve`: the renderer and the same API as the desktop app, over
 * HTTP and a WebSocket. Every request needs the per-run token: the printed URL
 * carries it once (`/?token=…`), the server answers with an HttpOnly,
 * SameSite=Strict cookie and redirects to `/`. WebSocket upgrades must come
 * from the page's own origin. On a loopback address, requests naming another
 * Host are refused (DNS rebinding).
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const rendererDir = resolve(options.rendererDir);
  const loopback = isLoopback(options.host);
  if (!loopback && !options.allowRemote) {
    throw VitrineError.of('remote-refused', msg('error.app.notLoopback', { host: options.host }), msg('error.app.notLoopbackHint'));
  }
  if (isWildcard(options.host)) {
    throw VitrineError.of('remote-refused', options.host ? msg('error.app.wildcard', { host: options.host }) : msg('error.app.wildcardEmpty'), msg('error.app.wildcardHint'));
  }
  let cookieName = 'vitrine-token';

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  // A protocol error (a malformed or oversized frame) closes that connection only: never the server.
  wss.on('error', () => undefined);
  const server: Server = createServer((req, res) => {
    void handleHttp(req, res);
  });

  /** The Host header must name this server (DNS rebinding): the loopback names, or the one remote name given. */
  function hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host ?? '';
    const port = (server.address() as AddressInfo | null)?.port;
    const given = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
    const names = loopback ? [...new Set(['127.0.0.1', 'localhost', '[::1]', given])] : [given];
    return names.some((name) => host === `${name}:${port}`);
  }

  function tokenMatches(candidate: string | undefined): boolean {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  function cookieToken(req: IncomingMessage): string | undefined {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === cookieName) return part.slice(eq + 1).trim();
    }
    return undefined;
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const baseHeaders = {
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cache-Control': 'no-store',
    };
    if (!hostAllowed(req)) {
      res.writeHead(403, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Forbidden: unexpected Host header. Open the URL that vitrine serve printed.\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...baseHeaders, Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    const queryToken = url.searchParams.get('token') ?? undefined;
    if (tokenMatches(queryToken)) {
      // Trade the token in the URL for a cookie, and take it out of the address bar.
      res.writeHead(302, {
        ...baseHeaders,
        'Set-Cookie': `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: '/',
      });
      res.end();
      return;
    }
    if (!tokenMatches(cookieToken(req))) {
      res.writeHead(401, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Unauthorized: open the URL that vitrine serve printed; it carries this run\'s access token.\n');
      return;
    }
    const file = await readUiFile(rendererDir, url.pathname);
    if (!file) {
      res.writeHead(404, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not found.\n');
      return;
    }
    res.writeHead(200, {
      ...baseHeaders,
      'Content-Type': file.contentType,
      'Content-Security-Policy': contentSecurityPolicy(),
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  // A broken HTTP request or a reset connection is that client's problem, not the server's.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const origin = req.headers.origin;
    const sameOrigin = origin === undefined || origin === `http://${req.headers.host ?? ''}`;
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/api') return refuse(404, 'Not Found');
    if (!hostAllowed(req) || !sameOrigin) return refuse(403, 'Forbidden');
    if (!tokenMatches(cookieToken(req)) && !tokenMatches(url.searchParams.get('token') ?? undefined)) {
      return refuse(401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  function serveSocket(ws: WebSocket): void {
    // ws closes the connection after a protocol error; without a listener the error would end the process.
    ws.on('error', () => ws.terminate());
    const unsubscribes = EVENT_NAMES.map((event: EventName) =>
      options.events[event]((payload) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event, payload }));
      }),
    );
    ws.on('close', () => unsubscribes.forEach((unsubscribe) => unsubscribe()));
    ws.on('message', (data) => {
      void (async () => {
        let message: unknown;
        try {
          message = JSON.parse(String(data));
        } catch {
          ws.close(1003, 'invalid JSON');
          return;
        }
        const { id, channel, args } = (message ?? {}) as { id?: unknown; channel?: unknown; args?: unknown };
        if (typeof id !== 'number' || typeof channel !== 'string') {
          ws.close(1003, 'invalid request');
          return;
        }
        const result = await options.registry.dispatch(channel, args);
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result }));
      })();
    });
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  // After listening, an error of the server itself is reported, not thrown at the process.
  server.on('error', (error) => process.stderr.write(`vitrine serve: ${error.message}\n`));
  const port = (server.address() as AddressInfo).port;
  // Cookies are not port-specific: name the cookie after the port so two servers don't clash.
  cookieName = `vitrine-token-${port}`;
  const hostForUrl = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostForUrl}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((done) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
