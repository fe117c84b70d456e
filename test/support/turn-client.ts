// A minimal STUN/TURN client over UDP for tests: an Allocate with TURN REST API credentials, and a plain Binding.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';

const MAGIC = 0x2112a442;
const TYPE = { bindingRequest: 0x0001, bindingSuccess: 0x0101, allocateRequest: 0x0003, allocateSuccess: 0x0103, allocateError: 0x0113 } as const;
const ATTR = { username: 0x0006, integrity: 0x0008, errorCode: 0x0009, realm: 0x0014, nonce: 0x0015, transport: 0x0019, relayed: 0x0016 } as const;

export type TurnAnswer =
  | { kind: 'success'; type: number; attributes: Map<number, Buffer> }
  | { kind: 'error'; code: number; reason: string; attributes: Map<number, Buffer> }
  | { kind: 'timeout' };

function attribute(type: number, value: Buffer): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

function message(type: number, attributes: Buffer[], integrityKey?: Buffer): Buffer {
  const body = Buffer.concat(attributes);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(MAGIC, 4);
  randomBytes(12).copy(header, 8);
  if (integrityKey === undefined) {
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
  }
  // RFC 5389 §15.4: the HMAC covers the message with its length already counting the integrity attribute.
  header.writeUInt16BE(body.length + 24, 2);
  const mac = createHmac('sha1', integrityKey).update(Buffer.concat([header, body])).digest();
  return Buffer.concat([header, body, attribute(ATTR.integrity, mac)]);
}

function parse(packet: Buffer): { type: number; attributes: Map<number, Buffer> } {
  const attributes = new Map<number, Buffer>();
  let offset = 20;
  const end = Math.min(packet.length, 20 + packet.readUInt16BE(2));
  while (offset + 4 <= end) {
    const type = packet.readUInt16BE(offset);
    const length = packet.readUInt16BE(offset + 2);
    attributes.set(type, packet.subarray(offset + 4, offset + 4 + length));
    offset += 4 + Math.ceil(length / 4) * 4;
  }
  return { type: packet.readUInt16BE(0), attributes };
}

/** One UDP socket for a whole exchange: coturn ties its nonce to the client's address and port. */
function udpClient(host: string) {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.on('error', () => undefined);
  return {
    ask(port: number, request: Buffer, timeoutMs: number): Promise<TurnAnswer> {
      return new Promise((resolve) => {
        const finish = (answer: TurnAnswer) => {
          clearTimeout(timer);
          socket.removeListener('message', onMessage);
          resolve(answer);
        };
        const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
        const onMessage = (packet: Buffer) => {
          if (packet.length < 20 || !packet.subarray(8, 20).equals(request.subarray(8, 20))) return;
          const { type, attributes } = parse(packet);
          if ((type & 0x0110) === 0x0110) {
            const error = attributes.get(ATTR.errorCode);
            const code = error === undefined ? 0 : (error.readUInt8(2) & 0x7) * 100 + error.readUInt8(3);
            finish({ kind: 'error', code, reason: error?.subarray(4).toString('utf8') ?? '', attributes });
          } else finish({ kind: 'success', type, attributes });
        };
        socket.on('message', onMessage);
        socket.send(request, port, host);
      });
    },
    close: () => socket.close(),
  };
}

/**
 * A TURN Allocate (UDP relay) with long-term credentials, as a browser does it: first without
 * credentials to learn the realm and nonce (401), then signed with MD5(username:realm:password).
 * The answer is the server's to the signed request (or the first one, if it did not ask).
 */
export async function turnAllocate(host: string, port: number, username: string, password: string, timeoutMs = 2_000): Promise<TurnAnswer> {
  const client = udpClient(host);
  try {
    const transport = attribute(ATTR.transport, Buffer.from([17, 0, 0, 0]));
    const first = await client.ask(port, message(TYPE.allocateRequest, [transport]), timeoutMs);
    if (first.kind !== 'error' || first.code !== 401) return first;
    const realm = first.attributes.get(ATTR.realm);
    const nonce = first.attributes.get(ATTR.nonce);
    if (realm === undefined || nonce === undefined) return first;
    const key = createHash('md5').update(`${username}:${realm.toString('utf8')}:${password}`).digest();
    const signed = message(
      TYPE.allocateRequest,
      [transport, attribute(ATTR.username, Buffer.from(username, 'utf8')), attribute(ATTR.realm, realm), attribute(ATTR.nonce, nonce)],
      key,
    );
    return await client.ask(port, signed, timeoutMs);
  } finally {
    client.close();
  }
}

/** The relayed transport address in an Allocate success (XOR-RELAYED-ADDRESS), as "ip:port" (IPv4). */
export function relayedAddress(answer: TurnAnswer): string | undefined {
  if (answer.kind !== 'success') return undefined;
  const value = answer.attributes.get(ATTR.relayed);
  if (value === undefined || value.readUInt8(1) !== 1) return undefined;
  const port = value.readUInt16BE(2) ^ (MAGIC >>> 16);
  const ip = (value.readUInt32BE(4) ^ MAGIC) >>> 0;
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}:${port}`;
}

/** A STUN Binding request: 'success' means something answering STUN listens on host:port over UDP. */
export async function stunBinding(host: string, port: number, timeoutMs = 2_000): Promise<TurnAnswer> {
  const client = udpClient(host);
  try {
    return await client.ask(port, message(TYPE.bindingRequest, []), timeoutMs);
  } finally {
    client.close();
  }
}

export const STUN_TYPES = TYPE;
