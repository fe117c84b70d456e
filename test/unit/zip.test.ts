// The packaging ZIP writer: what it writes reads back to the same files, names and modes, and the same input gives the same bytes.
import { crc32, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { zip } from '../../scripts/zip';

interface ReadEntry {
  name: string;
  data: Buffer;
  mode: number;
  method: number;
  packed: number;
}

/** A minimal reader that walks the central directory as unzip does, checking every CRC. */
function unzip(archive: Buffer): ReadEntry[] {
  const end = archive.length - 22;
  expect(archive.readUInt32LE(end)).toBe(0x06054b50);
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    expect(archive.readUInt32LE(at)).toBe(0x02014b50);
    const method = archive.readUInt16LE(at + 10);
    const crc = archive.readUInt32LE(at + 16);
    const packed = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const mode = archive.readUInt32LE(at + 38) >>> 16;
    const local = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    expect(archive.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const body = archive.subarray(start, start + packed);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    expect(crc32(data)).toBe(crc);
    entries.push({ name, data, mode, method, packed });
    at += 46 + nameLength;
  }
  return entries;
}

describe('zip', () => {
  const files = [
    { name: 'manifest.json', data: Buffer.from(JSON.stringify({ name: 'x', filler: 'a'.repeat(500) })) },
    { name: '_locales/ar/messages.json', data: Buffer.from('{"appName":{"message":"هل أستطيع الاتصال؟"}}') },
    { name: 'icons/tiny.bin', data: Buffer.from([1]) },
    { name: '.ci/run', data: Buffer.from('#!/bin/sh\n'), executable: true },
    { name: 'empty.txt', data: Buffer.alloc(0) },
  ];

  it('reads back to the same files, sorted by name, with their modes', () => {
    const read = unzip(zip(files));
    expect(read.map((e) => e.name)).toEqual(['.ci/run', '_locales/ar/messages.json', 'empty.txt', 'icons/tiny.bin', 'manifest.json']);
    for (const file of files) {
      const entry = read.find((e) => e.name === file.name);
      expect(entry?.data.equals(file.data)).toBe(true);
      expect(entry?.mode).toBe(file.executable ? 0o100755 : 0o100644);
    }
  });

  it('deflates what shrinks and stores what does not', () => {
    const read = unzip(zip(files));
    const manifest = read.find((e) => e.name === 'manifest.json');
    expect(manifest?.method).toBe(8);
    expect(manifest?.packed).toBeLessThan(manifest?.data.length ?? 0);
    expect(read.find((e) => e.name === 'icons/tiny.bin')).toMatchObject({ method: 0, packed: 1 });
  });

  it('gives the same bytes for the same input, whatever its order', () => {
    expect(zip([...files].reverse()).equals(zip(files))).toBe(true);
  });

  it.each([['/etc/passwd'], ['../outside'], ['a/../../b'], ['back\\slash'], ['']])('refuses the path %j', (name) => {
    expect(() => zip([{ name, data: Buffer.from('x') }])).toThrow(RangeError);
  });
});
