// e2e global setup: builds the Chrome and Firefox test extensions (loopback host permissions) once before the browser tests run.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  for (const mode of ['test', 'firefox-test']) {
    execFileSync('npx', ['vite', 'build', '--mode', mode, '--logLevel', 'warn'], { stdio: 'inherit' });
  }
}
