// SPDX-License-Identifier: Apache-2.0
// Opens one page nstopo wrote (graph --format html) in Debian's headless Chromium and checks it
// in the DOM. Fails (exit 1) on any console error, page error, dialog or network request.
//
//   node check_page.mjs PAGE [--search NAME] [--down NAME] [--failed-pairs N]
//                            [--hover] [--screenshot FILE.png]
//
// --search NAME: typing it in the search box selects that node and shows its details.
// --down NAME:   the vertex NAME and one of its links are drawn as down.
// --failed-pairs N: the verify overlay draws N failed pairs.
// --hover: hovering the first vertex and clicking the first link show their details.
// Every wait is bounded (kWait); nothing asserts on time.
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const kWait = 30000;
const args = process.argv.slice(2);
const page_path = args.shift();
const option = (name) => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
const flag = (name) => args.includes(name);
const problems = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok' : 'FAIL'}: ${what}`);
  if (!ok) problems.push(what);
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // Without these, Chromium reaches out to Google's hosts on start (refused on a closed network).
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const url = pathToFileURL(resolve(page_path)).href;
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', async (dialog) => {
    problems.push(`a dialog opened (injected script?): ${dialog.message()}`);
    await dialog.dismiss();
  });
  page.on('request', (request) => {
    if (request.url() !== url) problems.push(`network request: ${request.url()}`);
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: kWait });
  check(true, 'the page drew itself');

  const data = await page.evaluate(() => JSON.parse(document.getElementById('lab-data').textContent));
  const drawn = await page.evaluate(() => ({
    vertices: [...document.querySelectorAll('g.vertex')].map((g) => g.dataset.id),
    links: [...document.querySelectorAll('g.link')].map((g) => g.dataset.id),
    title: document.title,
  }));
  check(data.vertices.every((v) => drawn.vertices.includes(v.id)) &&
        drawn.vertices.length === data.vertices.length,
        `every vertex of the data is drawn (${drawn.vertices.length})`);
  check(data.links.every((l) => drawn.links.includes(l.id)) && drawn.links.length === data.links.length,
        `every link of the data is drawn (${drawn.links.length})`);
  check(drawn.title === `nstopo: ${data.lab}`, 'the title is the lab name, as text');
  const bounds = await page.evaluate(() => {
    const svg = document.getElementById('graph').getBoundingClientRect();
    const all = document.getElementById('viewport').getBoundingClientRect();
    return { svg: [svg.left, svg.top, svg.right, svg.bottom], all: [all.left, all.top, all.right, all.bottom] };
  });
  const [sl, st, sr, sb] = bounds.svg;
  const [al, at, ar, ab] = bounds.all;
  check(al >= sl - 1 && at >= st - 1 && ar <= sr + 1 && ab <= sb + 1,
        `the whole lab fits the window (${bounds.all.map(Math.round)} in ${bounds.svg.map(Math.round)})`);

  const search = option('--search');
  if (search !== undefined) {
    await page.fill('#search', search);
    await page.press('#search', 'Enter');
    const found = await page.waitForFunction(
      (name) => {
        const g = document.querySelector(`g.vertex.selected`);
        return g && g.dataset.name === name && document.getElementById('details').textContent.includes(name);
      }, search, { timeout: kWait }).then(() => true, () => false);
    check(found, `search finds ${search}, selects it and shows its details`);
  }
  if (flag('--hover')) {
    const first = data.vertices[0];
    await page.click('#zoom-fit');
    await page.hover(`g.vertex[data-id="${first.id}"]`, { force: true });
    const shown = await page.waitForFunction(
      (name) => document.getElementById('details').textContent.includes(name), first.name,
      { timeout: kWait }).then(() => true, () => false);
    check(shown, `hovering ${first.name} shows its details`);
    if (data.links.length) {
      // A short link may sit under its vertices' boxes: the click goes to its element.
      const link = data.links.find((l) => l.kind !== 'in-node') || data.links[0];
      await page.locator(`g.link[data-id="${link.id}"] line.hit`).dispatchEvent('click');
      const text = await page.textContent('#details');
      check(text.includes(`${link.kind} link`) && text.includes(link.a.ifname) && text.includes(link.b.ifname),
            `clicking a link shows its kind and both interface names`);
    }
  }
  const down = option('--down');
  if (down !== undefined) {
    const state = await page.evaluate((name) => {
      const g = document.querySelector(`g.vertex[data-name="${name}"]`);
      return {
        vertex: g ? [...g.classList] : null,
        downLinks: document.querySelectorAll('g.link.status-down').length,
        legend: document.getElementById('legend').textContent,
        source: document.getElementById('source').textContent,
      };
    }, down);
    check(state.vertex && state.vertex.includes('status-down'), `${down} is drawn as down (${state.vertex})`);
    check(state.downLinks > 0, `its link is drawn as down (${state.downLinks})`);
    check(state.legend.includes('Live state') && state.source.includes('state read'),
          'the legend says the view is live and when the state was read');
  }
  const failed = option('--failed-pairs');
  if (failed !== undefined) {
    const n = await page.locator('g.pair.failed').count();
    check(n === Number(failed), `the verify overlay draws ${failed} failed pair(s) (${n})`);
  }
  const shot = option('--screenshot');
  if (shot !== undefined) {
    await page.click('#zoom-fit');
    await page.screenshot({ path: shot });
    console.log(`screenshot: ${shot}`);
  }
} finally {
  await browser.close();
}
for (const problem of problems) console.error(`FAIL: ${problem}`);
process.exit(problems.length ? 1 : 0);
