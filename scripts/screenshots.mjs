// Takes the README's screenshots from a running app (npm start): node scripts/screenshots.mjs [origin]
import { chromium } from 'playwright-core';

const origin = process.argv[2] ?? 'http://127.0.0.1:3000';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--enable-unsafe-swiftshader',
  ],
});
const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
await page.goto(`${origin}/map?technology=ring-neighbors&active_on=2019-08-31`);
await page.waitForSelector('#map[data-ready="true"]', { timeout: 30000 });
await page.waitForTimeout(2500);
await page.screenshot({ path: 'docs/screenshots/map.png' });
await page.goto(`${origin}/places/place-2562535`);
await page.screenshot({ path: 'docs/screenshots/place-page.png', fullPage: true });
await page.setViewportSize({ width: 1200, height: 1500 });
await page.goto(`${origin}/deployments/ca-chula-vista-police-department-ca0370200--ring-neighbors`);
await page.screenshot({ path: 'docs/screenshots/deployment-page.png', fullPage: false });
await browser.close();
