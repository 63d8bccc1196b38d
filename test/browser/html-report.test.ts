/**
 * The HTML report in a real browser: Debian's Chromium driven by playwright-core. CI installs
 * Chromium (`apt-get install -y chromium`); without it this test fails rather than skips, so a
 * broken report can never pass unseen.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build-report.js';
import { renderHtml } from '../../src/report/render-html.js';
import type { ResultHistory } from '../../src/results/result-file.js';
import { baseline, candidate, hostileVersion, threeLoopHistory } from '../report/report-fixtures.js';

/** The DOM APIs the in-page callbacks use: the project compiles without the DOM lib. */
declare const getComputedStyle: (element: unknown) => { backgroundColor: string; stroke: string };
type Graphic = { getBBox(): { width: number } };

const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const artifacts = path.join(root, 'test-artifacts');

/** Everything the page did that a clean, offline, script-free report must never do. */
interface PageLog {
  errors: string[];
  requests: string[];
  failedRequests: string[];
  dialogs: string[];
}

let scratch: string;
let browser: BrowserContext;

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is not installed at ${chromiumPath}: install it with \`apt-get update && apt-get install -y chromium\` (CI's .ci/run does).`,
    );
  }
  scratch = await mkdtemp(path.join(os.tmpdir(), 'canary-browser-'));
  // A fresh profile per run: no cached state, extensions or sync from an earlier session.
  browser = await chromium.launchPersistentContext(path.join(scratch, 'profile'), {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 900 },
    offline: true,
  });
  await mkdir(artifacts, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Two versions, three loops, one failing SLO (the candidate's mean latency), no gaps in trends. */
function reportHistory(versions?: string[]): ResultHistory {
  const history = threeLoopHistory(versions);
  history.loops[1]!.metrics[1]!['kserve-prometheus/latency-p90'] = { value: 41.2 };
  return history;
}

async function openReport(history: ResultHistory, name: string): Promise<{ page: Page; log: PageLog }> {
  const file = path.join(scratch, `${name}.html`);
  await writeFile(file, renderHtml(buildReport(history)));
  const page = await browser.newPage();
  const log: PageLog = { errors: [], requests: [], failedRequests: [], dialogs: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') log.errors.push(message.text());
  });
  page.on('pageerror', (error) => log.errors.push(error.message));
  page.on('request', (request) => log.requests.push(request.url()));
  page.on('requestfailed', (request) =>
    log.failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`),
  );
  page.on('dialog', (dialog) => {
    log.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, log };
}

function expectCleanLoad(log: PageLog, page: Page): void {
  expect(log.errors).toEqual([]);
  expect(log.failedRequests).toEqual([]);
  expect(log.dialogs).toEqual([]);
  // The document itself and nothing else: no fonts, images, scripts or favicons fetched.
  expect(log.requests).toEqual([page.url()]);
}

describe('HTML report in Chromium', () => {
  it('renders the SLO matrix, trends and histograms with no errors or requests', async () => {
    const { page, log } = await openReport(reportHistory(), 'report');
    try {
      expect(await page.title()).toBe('canary: sklearn-iris-slos (fail)');
      expect(await page.locator('#verdict').getAttribute('data-verdict')).toBe('fail');
      expect(await page.locator('#verdict .verdict-label').innerText()).toMatch(/^fail$/i);

      const cells = await page.locator('#slo-matrix td[data-status]').evaluateAll((tds) =>
        tds.map((td) => ({
          version: td.getAttribute('data-version'),
          metric: td.getAttribute('data-metric'),
          status: td.getAttribute('data-status'),
          text: td.textContent?.trim(),
          background: getComputedStyle(td).backgroundColor,
        })),
      );
      const green = 'rgb(218, 251, 225)';
      const red = 'rgb(255, 235, 233)';
      expect(cells).toEqual([
        {
          version: baseline,
          metric: 'kserve-prometheus/error-count',
          status: 'pass',
          text: '✔ 0 ≤ 0',
          background: green,
        },
        {
          version: candidate,
          metric: 'kserve-prometheus/error-count',
          status: 'pass',
          text: '✔ 0 ≤ 0',
          background: green,
        },
        {
          version: baseline,
          metric: 'kserve-prometheus/latency-mean',
          status: 'pass',
          text: '✔ 20.4 ≤ 25',
          background: green,
        },
        {
          version: candidate,
          metric: 'kserve-prometheus/latency-mean',
          status: 'fail',
          text: '✘ 28.6 > 25',
          background: red,
        },
        {
          version: baseline,
          metric: 'kserve-prometheus/latency-p90',
          status: 'pass',
          text: '✔ 36.2 ≤ 40',
          background: green,
        },
        {
          version: candidate,
          metric: 'kserve-prometheus/latency-p90',
          status: 'pass',
          text: '✔ 39.5 ≤ 40',
          background: green,
        },
      ]);

      const trends = await page.locator('svg.trend').evaluateAll((svgs) =>
        svgs.map((svg) => ({
          metric: svg.getAttribute('data-metric'),
          width: svg.getBoundingClientRect().width,
          series: [...svg.querySelectorAll('g.series')].map((g) => ({
            version: g.getAttribute('data-version'),
            lines: [...g.querySelectorAll('polyline')].map((line) => ({
              points: line.getAttribute('points')?.split(' ').length,
              width: (line as unknown as Graphic).getBBox().width,
              stroke: getComputedStyle(line).stroke,
            })),
          })),
          limits: [...svg.querySelectorAll('.limit')].map((g) => g.getAttribute('data-limit')),
        })),
      );
      expect(trends.map((t) => t.metric)).toEqual([
        'kserve-prometheus/error-count',
        'kserve-prometheus/latency-mean',
        'kserve-prometheus/latency-p90',
      ]);
      for (const trend of trends) {
        expect(trend.width, trend.metric ?? '').toBeGreaterThan(200);
        expect(trend.series.map((s) => s.version)).toEqual([baseline, candidate]);
        for (const series of trend.series) {
          expect(series.lines, `${trend.metric} ${series.version}`).toHaveLength(1);
          expect(series.lines[0]!.points).toBe(3);
          expect(series.lines[0]!.width).toBeGreaterThan(100);
        }
        // Each version in its own colour.
        expect(new Set(trend.series.map((s) => s.lines[0]!.stroke)).size).toBe(2);
      }
      expect(trends.map((t) => t.limits)).toEqual([['0'], ['25'], ['40']]);

      expect(await page.locator('svg.histogram').count()).toBe(2);
      expect(await page.locator('svg.histogram[data-version="' + candidate + '"] rect.bar').count()).toBe(11);
      expect(await page.locator('#queries details[open]').count()).toBe(2);

      await page.screenshot({ path: path.join(artifacts, 'report.png'), fullPage: true });
      expectCleanLoad(log, page);
    } finally {
      await page.close();
    }
  });

  it('shows a version named like markup as text: no element, no dialog', async () => {
    const { page, log } = await openReport(reportHistory([baseline, hostileVersion]), 'hostile');
    try {
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(0);
      const headers = await page.locator('#slo-matrix thead th[data-version]').allInnerTexts();
      expect(headers).toEqual([baseline, hostileVersion]);
      expect(await page.locator('svg.trend g.series').nth(1).getAttribute('data-version')).toBe(
        hostileVersion,
      );
      expect(await page.locator('.legend li').nth(1).innerText()).toBe(hostileVersion);
      expect(
        await page.locator(`#slo-matrix td[data-version="${hostileVersion}"][data-status="fail"]`).count(),
      ).toBe(1);
      await page.screenshot({ path: path.join(artifacts, 'report-hostile.png'), fullPage: true });
      expectCleanLoad(log, page);
    } finally {
      await page.close();
    }
  });
});
