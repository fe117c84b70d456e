// Writes a ZIP archive with Node alone (node:zlib deflate + CRC-32): the packaging machines are not guaranteed a `zip` binary.

import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Path inside the archive, with forward slashes. */
  name: string;
  data: Buffer;
  /** Unpacks as rwxr-xr-x instead of rw-r--r--. */
  executable?: boolean;
}

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const STORE = 0;
const DEFLATE = 8;
/** General-purpose flag bit 11: names are UTF-8. */
const UTF8_NAMES = 0x0800;
/** Version 2.0: deflate; made on Unix so the external attributes carry file modes. */
const VERSION_NEEDED = 20;
const MADE_BY_UNIX = (3 << 8) | VERSION_NEEDED;
/** Regular-file modes, in the high 16 bits of the external attributes. */
const FILE_MODE = 0o100644;
const EXECUTABLE_MODE = 0o100755;
/** 1980-01-01 00:00 in MS-DOS format: a fixed time, so the same inputs give the same archive bytes. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
/** Beyond these the format needs ZIP64, which an extension package never needs. */
const MAX_32 = 0xffffffff;
const MAX_ENTRIES = 0xffff;

interface CommonFields {
  method: number;
  crc: number;
  compressed: number;
  size: number;
  nameLength: number;
}

/**
 * The run of fields the local header and the central directory entry share, in the same order (APPNOTE 4.3.7 and
 * 4.3.12): version needed, flags, method, time, date, CRC-32, sizes, name length, extra length (0).
 */
function writeCommonFields(header: Buffer, at: number, fields: CommonFields): void {
  header.writeUInt16LE(VERSION_NEEDED, at);
  header.writeUInt16LE(UTF8_NAMES, at + 2);
  header.writeUInt16LE(fields.method, at + 4);
  header.writeUInt16LE(DOS_TIME, at + 6);
  header.writeUInt16LE(DOS_DATE, at + 8);
  header.writeUInt32LE(fields.crc, at + 10);
  header.writeUInt32LE(fields.compressed, at + 14);
  header.writeUInt32LE(fields.size, at + 18);
  header.writeUInt16LE(fields.nameLength, at + 22);
  header.writeUInt16LE(0, at + 24);
}

/** A ZIP archive of `entries`, sorted by name, each deflated unless that would not make it smaller. */
export function zip(entries: readonly ZipEntry[]): Buffer {
  if (entries.length > MAX_ENTRIES) throw new RangeError(`too many entries for a ZIP without ZIP64: ${entries.length}`);
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of sorted) {
    if (entry.name === '' || entry.name.startsWith('/') || entry.name.includes('\\') || entry.name.split('/').includes('..')) {
      throw new RangeError(`not a relative archive path: ${entry.name}`);
    }
    const name = Buffer.from(entry.name, 'utf8');
    const deflated = deflateRawSync(entry.data, { level: 9 });
    const method = deflated.length < entry.data.length ? DEFLATE : STORE;
    const body = method === DEFLATE ? deflated : entry.data;
    const crc = crc32(entry.data);
    if (entry.data.length > MAX_32 || offset > MAX_32) throw new RangeError(`archive too large without ZIP64 at ${entry.name}`);

    const fields = { method, crc, compressed: body.length, size: entry.data.length, nameLength: name.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    writeCommonFields(local, 4, fields);
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_HEADER, 0);
    central.writeUInt16LE(MADE_BY_UNIX, 4);
    writeCommonFields(central, 6, fields);
    // Extra field, comment, disk number start and internal attributes stay zero.
    central.writeUInt32LE(((entry.executable ? EXECUTABLE_MODE : FILE_MODE) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(sorted.length, 8);
  end.writeUInt16LE(sorted.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
