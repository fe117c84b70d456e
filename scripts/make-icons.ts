// Renders public/icons/icon-{16,32,48,128}.png from one SVG with headless Chromium (run by hand when the design changes).
import { writeFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { chromiumPath, chromiumArgs } from '../tools/browsers';

const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 128 128">
  <rect width="128" height="128" rx="28" fill="#0f766e"/>
  <path d="M44 28 L30 36 C22 62 44 96 82 108 L94 96 L80 80 L68 86 C56 80 48 70 44 58 L52 48 Z" fill="#fff"/>
  <circle cx="92" cy="38" r="18" fill="#facc15"/>
  <path d="M86 33 q0-7 6-7 q6 0 6 6 q0 4-6 6 v3" stroke="#0f766e" stroke-width="4" fill="none" stroke-linecap="round"/>
  <circle cx="92" cy="47" r="2.5" fill="#0f766e"/>
</svg>`;

// Headless comes from chromiumArgs (--headless=new), as for every Chromium this project starts.
const browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: false, args: chromiumArgs() });
const page = await browser.newPage();
for (const size of [16, 32, 48, 128]) {
  await page.setViewport({ width: size, height: size });
  await page.setContent(`<style>html,body{margin:0;background:transparent}</style>${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}`);
  writeFileSync(`public/icons/icon-${size}.png`, await page.screenshot({ omitBackground: true }));
}
await browser.close();
console.info('wrote public/icons/icon-{16,32,48,128}.png');
