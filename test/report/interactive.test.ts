// report.html in a real browser: headless Chromium driven by playwright-core. Hover details, zoom and
// pan, the jump from a broken SLO to where it broke, and the pod filter. The page must also work with
// JavaScript off (the static timeline and the full table). Without a Chromium the test says so and skips.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { runScenario } from '../../src/runner/run-scenario.js';
import { parseScenarioText } from '../../src/scenario/index.js';
import { renderHtmlReport } from '../../src/report/index.js';

const CHROMIUM = [process.env.HASIM_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p): p is string => !!p && existsSync(p),
);
if (!CHROMIUM)
  console.log(
    'SKIPPED: report.html browser tests: no Chromium found (looked at $HASIM_CHROMIUM, /usr/bin/chromium, /usr/bin/chromium-browser); install it with apt-get install -y chromium',
  );
const describeInBrowser = CHROMIUM ? describe : describe.skip;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describeInBrowser('report.html in Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  let url: string;
  const errors: string[] = [];

  beforeAll(async () => {
    const file = join(process.cwd(), 'test', 'fixtures', 'six-faults.yaml');
    const parsed = parseScenarioText(readFileSync(file, 'utf8'), { file });
    if (!parsed.ok) throw new Error('six-faults.yaml does not validate');
    const { summary, events } = runScenario(parsed.scenario, {});
    const dir = mkdtempSync(join(tmpdir(), 'hasim-html-'));
    writeFileSync(join(dir, 'report.html'), renderHtmlReport(summary, events));
    url = `file://${join(dir, 'report.html')}`;
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'hasim-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1300, height: 900 },
      offline: true,
    });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
  });

  it('loads offline without script errors', () => {
    expect(errors).toEqual([]);
  });

  it("shows a mark's details on hover", async () => {
    await page.locator('.timeline svg rect[data-tip^="worker-c-0: host powered off"]').first().hover();
    expect(await page.isVisible('.tip')).toBe(true);
    expect(await page.textContent('.tip')).toBe('worker-c-0: host powered off 12:00.0–22:00.0 (10m)');
  });

  it('zooms in and out on the time axis, and pans by dragging', async () => {
    const tick = page.locator('.timeline svg text', { hasText: /^20:00$/ }).first();
    const before = Number(await tick.getAttribute('x'));
    await page.click('#zoom-in');
    expect(await page.textContent('.zoomlabel')).toBe(
      'Showing 10:00–30:00 (zoom 2.0×). Drag to pan, double-click to zoom in.',
    );
    expect(Number(await tick.getAttribute('x'))).toBeCloseTo(before, 0); // the centre stays put
    // Finer ticks for the window: every 2 minutes over 20 minutes, where the whole run had 5.
    expect(await page.locator('.timeline svg text.ztick').allTextContents()).toEqual(
      expect.arrayContaining(['10:00', '12:00', '14:00', '28:00', '30:00']),
    );
    expect(await page.isVisible('.timeline svg text.ztick >> text=12:00')).toBe(true);
    const box = (await page.locator('.timeline svg').boundingBox())!;
    await page.mouse.move(box.x + 700, box.y + 300);
    await page.mouse.down();
    await page.mouse.move(box.x + 500, box.y + 300, { steps: 4 });
    await page.mouse.up();
    expect(await page.textContent('.zoomlabel')).not.toContain('Showing 10:00–30:00');
    expect(Number(await tick.getAttribute('x'))).toBeLessThan(before - 100);
    await page.click('#zoom-reset');
    expect(await page.textContent('.zoomlabel')).toBe('Showing 00:00–40:00. Drag to pan, double-click to zoom in.');
    expect(await page.locator('.timeline svg text.ztick').count()).toBe(0);
    expect(Number(await tick.getAttribute('x'))).toBeCloseTo(before, 0);
  });

  it('jumps from a broken SLO to the moment it broke', async () => {
    const link = page.locator('tr.failed a.jump').first();
    expect(await link.getAttribute('data-t')).toBe('1140000');
    await link.click();
    expect(await page.textContent('.zoomlabel')).toBe(
      'Showing 16:30–21:30 (zoom 8.0×). Drag to pan, double-click to zoom in.',
    );
    const mark = page.locator('.timeline svg line.jump-mark');
    const svgBox = (await page.locator('.timeline svg').boundingBox())!;
    const markBox = (await mark.boundingBox())!;
    // 19:00 is the middle of the window: the mark sits in the middle of the plot.
    const middle = svgBox.x + (svgBox.width * (200 + 970 / 2)) / 1200;
    expect(Math.abs(markBox.x - middle)).toBeLessThan(6);
    await page.click('#zoom-reset');
  });

  it('filters the per-pod table', async () => {
    const all = await page.locator('table.pods tbody tr').count();
    expect(all).toBeGreaterThan(10);
    await page.fill('.podfilter input', 'ledger worker-c');
    const shown = await page.locator('table.pods tbody tr:visible').count();
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(all);
    expect(await page.textContent('.podfilter .count')).toBe(`${shown} of ${all} pods`);
    for (const text of await page.locator('table.pods tbody tr:visible').allTextContents())
      expect(text.toLowerCase()).toMatch(/ledger[\s\S]*worker-c/);
  });

  it('shows the static timeline and the whole table with JavaScript off', async () => {
    const context2 = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'hasim-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      javaScriptEnabled: false,
    });
    const page2 = await context2.newPage();
    await page2.goto(url);
    expect(await page2.isVisible('.timeline svg')).toBe(true);
    expect(await page2.isVisible('.zoombar')).toBe(false);
    expect(await page2.locator('table.pods tbody tr:visible').count()).toBeGreaterThan(10);
    await context2.close();
  });
});
