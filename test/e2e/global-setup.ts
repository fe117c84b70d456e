// e2e global setup: builds the test extension (loopback host permissions) once before the browser tests run.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('npx', ['vite', 'build', '--mode', 'test', '--logLevel', 'warn'], { stdio: 'inherit' });
}
