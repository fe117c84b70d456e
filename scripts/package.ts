// Builds both browsers and writes the store uploads and the source archive AMO asks for into artifacts/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { zip, type ZipEntry } from './zip';
import { errorText } from '../src/core/error-text';

const OUT = 'artifacts';
/** Never source, even in a checkout that tracks them (.gitignore keeps them out of this one): dependencies and build output. */
const NOT_SOURCE = [/^node_modules\//, /^dist(-[^/]+)?\//, /^artifacts\//];
const NOT_SOURCE_PATHSPECS = [':!node_modules', ':!dist', ':!dist-*', ':!artifacts'];
function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

function entriesOf(dir: string): ZipEntry[] {
  return filesUnder(dir).map((path) => ({ name: relative(dir, path).split(sep).join('/'), data: readFileSync(path) }));
}

/**
 * AMO reviewers rebuild the upload from this archive, so it must be exactly what was built: the git-tracked files as
 * they are on disk. Untracked or modified files would make the two differ, so they stop the run unless
 * `--allow-dirty` says a local, non-release package is wanted.
 */
function sourceEntries(allowDirty: boolean): ZipEntry[] {
  const changes = run('git', ['status', '--porcelain', '--untracked-files=all', '--', '.', ...NOT_SOURCE_PATHSPECS]).trimEnd();
  if (changes !== '' && !allowDirty) {
    throw new Error(`the working tree differs from git, so the source archive would not match the build:\n${changes}\n(commit first, or pass --allow-dirty for a local package)`);
  }
  const tracked = run('git', ['ls-files', '-z']).split('\0').filter((path) => path !== '' && !NOT_SOURCE.some((pattern) => pattern.test(path)));
  // Keep executable bits (.ci/run): a reviewer's rebuild may run the scripts as they are.
  return tracked.map((path) => ({ name: path, data: readFileSync(path), executable: (statSync(path).mode & 0o111) !== 0 }));
}


function main(): void {
  const allowDirty = process.argv.includes('--allow-dirty');
  const { version } = JSON.parse(readFileSync('manifest.json', 'utf8')) as { version: string };
  // Check first: a dirty tree should stop the run before minutes of building.
  const source = sourceEntries(allowDirty);
  run('npx', ['vite', 'build', '--logLevel', 'warn']);
  run('npx', ['vite', 'build', '--mode', 'firefox', '--logLevel', 'warn']);
  mkdirSync(OUT, { recursive: true });
  const archives: { name: string; entries: ZipEntry[]; extension: boolean }[] = [
    { name: `can-i-call-chrome-${version}.zip`, entries: entriesOf('dist'), extension: true },
    { name: `can-i-call-firefox-${version}.zip`, entries: entriesOf('dist-firefox'), extension: true },
    { name: `can-i-call-source-${version}.zip`, entries: source, extension: false },
  ];
  for (const { name, entries, extension } of archives) {
    // Both stores reject an upload whose manifest is not at the archive root.
    if (extension && !entries.some((entry) => entry.name === 'manifest.json')) throw new Error(`${name}: no manifest.json at the archive root`);
    const bytes = zip(entries);
    writeFileSync(join(OUT, name), bytes);
    console.info(`${join(OUT, name)}: ${entries.length} files, ${Math.round(bytes.length / 1024)} KiB`);
  }
}

try {
  main();
} catch (error) {
  console.error(errorText(error));
  process.exit(1);
}
