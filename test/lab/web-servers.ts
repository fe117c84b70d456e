// The lab's web side, run inside the server namespace: HTTPS and HTTP for every catalog web host, the DoH resolver, a captive portal and a DNS block page.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

export interface WebServersConfig {
  /**
   * Catalog web hosts; `untrusted` ones present the unknown-CA certificate (Signal's private CA);
   * `http3` ones get only plain HTTP here, as caddy serves their HTTPS over TCP and QUIC.
   */
  hosts: { name: string; ip: string; untrusted: boolean; http3: boolean }[];
  portalIp: string;
  blockPageIp: string;
  /** The DoH host (dns.google): its /resolve answers with the lab's true addresses. */
  dohHost: string;
  /** The "true" answers, name → address, for DoH. */
  answers: Record<string, string>;
  certs: {
    trusted: { cert: string; key: string };
    /** Signed by the lab CA for another name: what a portal or a block page presents. */
    wrongHost: { cert: string; key: string };
    unknownCa: { cert: string; key: string };
  };
}

type Role = 'catalog' | 'portal' | 'block-page';

function answer(role: Role, config: WebServersConfig, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'unknown'}`);
  const headers = { 'cache-control': 'no-store', 'content-type': 'text/plain' };
  if (role === 'portal') {
    // A portal answers every request itself with its login page: a 200 where generate_204 expects 204.
    res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end('<h1>Sign in to the lab Wi-Fi</h1>');
    return;
  }
  if (role === 'block-page') {
    res.writeHead(200, { ...headers, 'content-type': 'text/html' }).end('<h1>This site is blocked</h1>');
    return;
  }
  if (url.hostname === config.dohHost && url.pathname === '/resolve') {
    const name = (url.searchParams.get('name') ?? '').replace(/\.$/, '').toLowerCase();
    const address = config.answers[name];
    const body = {
      Status: address === undefined ? 3 : 0,
      TC: false,
      RD: true,
      RA: true,
      AD: false,
      CD: false,
      Question: [{ name: `${name}.`, type: 1 }],
      ...(address === undefined ? {} : { Answer: [{ name: `${name}.`, type: 1, TTL: 300, data: address }] }),
    };
    res.writeHead(200, { ...headers, 'content-type': 'application/dns-json' }).end(JSON.stringify(body));
    return;
  }
  if (url.pathname === '/generate_204') {
    res.writeHead(204, headers).end();
    return;
  }
  res.writeHead(200, headers).end(`lab ${url.hostname}\n`);
}

function listen(server: Server, ip: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => resolve());
  });
}

async function main(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as WebServersConfig;
  const sites: { ip: string; role: Role; cert: { cert: string; key: string }; https?: false }[] = [
    ...config.hosts.map((host) => ({
      ip: host.ip,
      role: 'catalog' as const,
      cert: host.untrusted ? config.certs.unknownCa : config.certs.trusted,
      ...(host.http3 ? { https: false as const } : {}),
    })),
    { ip: config.portalIp, role: 'portal', cert: config.certs.wrongHost },
    { ip: config.blockPageIp, role: 'block-page', cert: config.certs.wrongHost },
  ];
  const servers: Server[] = [];
  for (const site of sites) {
    const handler = (req: IncomingMessage, res: ServerResponse) => answer(site.role, config, req, res);
    const http = createHttpServer(handler);
    await listen(http, site.ip, 80);
    servers.push(http);
    if (site.https === false) continue;
    const https = createHttpsServer({ cert: site.cert.cert, key: site.cert.key }, handler);
    await listen(https, site.ip, 443);
    servers.push(https);
  }
  const stop = () => {
    for (const server of servers) server.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write('ready\n');
}

// Run as its own process (`ip netns exec cic-lab-server node --import tsx test/lab/web-servers.ts <config.json>`):
// a socket binds in the network namespace of the process that opens it, not of the test runner.
const [configPath] = process.argv.slice(2);
if (configPath === undefined) {
  console.error('usage: web-servers.ts <config.json>');
  process.exit(2);
}
main(configPath).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
