// Where the real browsers are and how they must be started on this kind of machine; a missing browser is an error that says what to install.
import { existsSync } from 'node:fs';

export function chromiumPath(): string {
  const path = process.env.CHROME_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`Chromium not found at ${path}. Install it with "apt-get install chromium" or set CHROME_PATH.`);
  }
  return path;
}

export function firefoxPath(): string {
  const path = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
  if (!existsSync(path)) {
    throw new Error(`Firefox not found at ${path}. Install it with "apt-get install firefox-esr" or set FIREFOX_PATH.`);
  }
  return path;
}

/** Flags this machine needs (root, no GPU, no internet); see the project brief. */
export function chromiumArgs(extra: string[] = [], { headed = false } = {}): string[] {
  return [
    ...(headed ? [] : ['--headless=new']),
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-default-apps',
    ...extra,
  ];
}
