// Loads vipd's status page in Debian's headless Chromium, fails on any console error, page
// error or failed request, checks what a person must see, and saves a screenshot.
// Usage: node status_page.mjs SERVER_BINARY SCREENSHOT.png
// Exit 77 (skipped) when Chromium or playwright-core is missing.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const [serverBinary, screenshot] = process.argv.slice(2);
const chromium = '/usr/bin/chromium';

function skip(why) {
  console.error(`SKIPPED: ${why}`);
  process.exit(77);
}

if (!existsSync(chromium)) skip(`${chromium} is missing (Debian package chromium)`);
let playwright;
try {
  playwright = await import('playwright-core');
} catch {
  skip('playwright-core is missing: run npm ci in tests/browser');
}

// Starts the server and waits for the port it prints.
function startServer() {
  const child = spawn(serverBinary, [], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) =>
      resolve({ child, port: Number(line) }));
  });
}

const problems = [];
const { child, port } = await startServer();
const profile = mkdtempSync(join(tmpdir(), 'vipd-chromium-'));
let context;
try {
  // A new, empty profile: playwright passes it to Chromium as --user-data-dir.
  context = await playwright.chromium.launchPersistentContext(profile, {
    executablePath: chromium,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });

  const response = await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
  if (response.status() !== 200) problems.push(`status ${response.status()}`);

  const title = await page.title();
  if (title !== 'vipd on lvs1001') problems.push(`title "${title}"`);
  for (const [selector, least] of [['#services tr', 3], ['#peers tr', 3], ['#vips tr', 5]]) {
    const rows = await page.locator(selector).count();
    if (rows < least) problems.push(`${selector}: ${rows} rows, expected ${least}`);
  }
  const colour = await page.locator('#services .chip.pooled-down').first()
    .evaluate((element) => getComputedStyle(element).backgroundColor);
  if (colour !== 'rgb(255, 216, 168)') problems.push(`pooled-but-down colour ${colour}`);

  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
} finally {
  if (context) await context.close();
  child.kill('SIGTERM');
  rmSync(profile, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('status page: no console error, all sections present');
