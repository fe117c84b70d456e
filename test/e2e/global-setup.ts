// Browser-test global setup (e2e and lab): builds the Chrome and Firefox test extensions once per vitest run.
import { execFileSync } from 'node:child_process';

/** Both projects name this setup; within one run the second call finds the build done. */
const BUILT = 'CIC_TEST_BUILDS_DONE';

export default function setup(): void {
  if (process.env[BUILT] === '1') return;
  for (const mode of ['test', 'firefox-test']) {
    execFileSync('npx', ['vite', 'build', '--mode', mode, '--logLevel', 'warn'], { stdio: 'inherit' });
  }
  process.env[BUILT] = '1';
}
