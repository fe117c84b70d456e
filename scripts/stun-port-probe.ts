// Which ports a `stun:` ICE server URL may use, measured in the real browsers on loopback: a STUN responder listens
// on each port; a page opens one RTCPeerConnection per port and reports whether a srflx candidate came back, and the
// responder counts what arrived. Run: node --import tsx scripts/stun-port-probe.ts [chromium|firefox] [ports...]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket, type Socket } from 'node:dgram';
import puppeteer from 'puppeteer-core';
import { chromiumArgs, chromiumPath, firefoxPath } from '../tools/browsers';

const MAGIC = 0x2112a442;
const DEFAULT_PORTS = [
  21, 53, 79, 80, 110, 443, 596, 597, 598, 599, 1023, 1024, 1400, 1719, 1720, 3478, 3479, 3480, 4244, 5060, 5061, 5242, 6000, 6665, 7985, 8801,
  9987, 10080, 16384, 19302, 22466, 50000, 65535,
];

function responder(port: number, seen: Map<number, number>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.on('message', (msg, rinfo) => {
      if (msg.length < 20 || msg.readUInt16BE(0) !== 0x0001 || msg.readUInt32BE(4) !== MAGIC) return;
      seen.set(port, (seen.get(port) ?? 0) + 1);
      const attr = Buffer.alloc(12);
      attr.writeUInt16BE(0x0020, 0);
      attr.writeUInt16BE(8, 2);
      attr.writeUInt8(0x01, 5);
      attr.writeUInt16BE(rinfo.port ^ (MAGIC >>> 16), 6);
      attr.writeUInt32BE(((0xcb007107 ^ MAGIC) >>> 0), 8); // 203.0.113.7: only data in the answer
      const header = Buffer.alloc(20);
      header.writeUInt16BE(0x0101, 0);
      header.writeUInt16BE(12, 2);
      msg.copy(header, 4, 4, 20);
      socket.send(Buffer.concat([header, attr]), rinfo.port, rinfo.address);
    });
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

const PAGE_PROBE = `async (list) => {
  const one = (port) => new Promise((resolve) => {
    let pc;
    try {
      pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:' + port }] });
    } catch (error) {
      resolve('constructor threw: ' + String(error));
      return;
    }
    const notes = [];
    const done = (what) => { pc.close(); resolve([what, ...notes].join('; ')); };
    const timer = setTimeout(() => done('deadline'), 4000);
    pc.onicecandidate = (event) => {
      if (event.candidate && event.candidate.type === 'srflx') { clearTimeout(timer); done('srflx'); }
      else if (event.candidate === null) { clearTimeout(timer); done('gathering-complete'); }
    };
    pc.addEventListener('icecandidateerror', (e) => notes.push('error ' + e.errorCode + ' ' + e.errorText));
    pc.createDataChannel('x');
    pc.createOffer().then((offer) => pc.setLocalDescription(offer));
  });
  return Promise.all(list.map(async (port) => [port, await one(port)]));
}`;

async function main(): Promise<void> {
  const [which = 'chromium', ...rest] = process.argv.slice(2);
  const ports = rest.length > 0 ? rest.map(Number) : DEFAULT_PORTS;
  const seen = new Map<number, number>();
  const sockets: Socket[] = [];
  for (const port of ports) {
    try {
      sockets.push(await responder(port, seen));
    } catch (error) {
      console.log(`port ${port}: cannot listen (${String(error)})`);
    }
  }
  const browser =
    which === 'firefox'
      ? await puppeteer.launch({
          browser: 'firefox',
          protocol: 'webDriverBiDi',
          executablePath: firefoxPath(),
          headless: true,
          userDataDir: mkdtempSync(join(tmpdir(), 'stun-ports-ff-')),
          extraPrefsFirefox: { 'media.peerconnection.ice.loopback': true, 'network.dns.native-is-localhost': true },
        })
      : await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs() });
  try {
    const page = await browser.newPage();
    // A string, not a function: tsx would wrap a function's inner names in a helper the page does not have.
    const results = (await page.evaluate(`(${PAGE_PROBE})(${JSON.stringify(ports)})`)) as [number, string][];
    for (const [port, result] of results) console.log(`${which} port ${port}: ${result}; responder heard ${seen.get(port) ?? 0}`);
    console.log(`${which} version: ${await browser.version()}`);
  } finally {
    await browser.close();
    for (const socket of sockets) socket.close();
  }
}

await main();
