// The flow map's HTML page opened from a file in a real browser: Debian's Chromium, headless,
// driven by playwright-core with the system binary (nothing downloaded). The page loads nothing
// from elsewhere and raises no errors; a screenshot of the drawing is not blank (decoded with
// pngjs: enough pixels off the background, and the kinds' fill colours and the coverage red are
// actually painted); and every state's name is shown: a visible <text> of the drawing, with a
// real size, inside the page, and the topmost element at its centre.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { PNG } from "pngjs";
import { toHtml } from "../../src/testing";
import type { FlowMap } from "../../src/testing/flow/graph";
import { NODE_STYLES } from "../../src/testing/flow/render-dot";
import { describeWithChromium, launchChromium } from "../helpers/chromium";
import { sampleCoverage, sampleMap } from "../fixtures/flow/sample-map";

jest.setTimeout(90_000);

const VIEWPORT = { width: 1400, height: 1000 };

interface PixelStats {
  width: number;
  height: number;
  /** Share of pixels that differ clearly from the most common colour (the background). */
  offBackground: number;
  /** Colours (4 bits a channel) covering at least 40 pixels each. */
  colours: number;
  /** Pixels within a small distance of a colour. */
  near(hex: string, tolerance?: number): number;
}

function pixelStats(png: Buffer): PixelStats {
  const { width, height, data } = PNG.sync.read(png);
  const counts = new Map<number, number>();
  for (let i = 0; i < data.length; i += 4) {
    const key = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let background = 0;
  let most = -1;
  for (const [key, n] of counts) if (n > most) [background, most] = [key, n];
  const rgb = (key: number): [number, number, number] => [(key >> 16) & 255, (key >> 8) & 255, key & 255];
  const distance = (a: number, b: number): number => {
    const [r1, g1, b1] = rgb(a);
    const [r2, g2, b2] = rgb(b);
    return Math.max(Math.abs(r1 - r2), Math.abs(g1 - g2), Math.abs(b1 - b2));
  };
  let off = 0;
  const buckets = new Map<number, number>();
  for (const [key, n] of counts) {
    if (distance(key, background) > 24) off += n;
    const [r, g, b] = rgb(key);
    const bucket = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + n);
  }
  return {
    width,
    height,
    offBackground: off / (width * height),
    colours: [...buckets.values()].filter((n) => n >= 40).length,
    near(hex, tolerance = 6) {
      const target = parseInt(hex.slice(1), 16);
      let n = 0;
      for (const [key, count] of counts) if (distance(key, target) <= tolerance) n += count;
      return n;
    },
  };
}

// The little of the DOM the page-side functions below use (this project's TypeScript has no DOM
// library). Functions passed to evaluate() run in the page, so each takes them from globalThis itself.
interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface DomElement {
  scrollWidth: number;
  scrollHeight: number;
  clientWidth: number;
  getBoundingClientRect(): Box;
  closest(selector: string): DomElement | null;
  querySelector(selector: string): DomSvg | null;
}
interface DomSvg extends DomElement {
  viewBox: { baseVal: { width: number } };
}
interface Browserish {
  document: {
    documentElement: DomElement;
    querySelector(selector: string): DomSvg | null;
    elementFromPoint(x: number, y: number): DomElement | null;
  };
  innerWidth: number;
  scrollX: number;
  scrollY: number;
}
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describeWithChromium("the flow map's HTML page in headless Chromium", () => {
  let browser: Browser;
  let dir: string;
  let pageUrl: string;
  let page: Page;
  const requests: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "flow-html-"));
    const file = path.join(dir, "flow.html");
    fs.writeFileSync(file, await toHtml(sampleMap, { coverage: sampleCoverage }));
    pageUrl = pathToFileURL(file).href;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    page.on("request", (request) => requests.push(request.url()));
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
    });
    await page.goto(pageUrl, { waitUntil: "load" });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("loads from a file with nothing fetched from elsewhere and no errors", async () => {
    expect(requests).toEqual([pageUrl]);
    expect(problems).toEqual([]);
    expect(await page.title()).toBe("Call flow: /incoming-call");
    expect(await page.locator("h1").innerText()).toBe("Call flow: /incoming-call");
    expect(await page.locator(".coverage").innerText()).toBe("States covered: 9/12 (75%), edges covered: 21/28 (75%)");
  });

  it("fits the page's width: the page itself never scrolls sideways, the drawing is laid out at a readable size", async () => {
    const layout = await page.evaluate(() => {
      const w = globalThis as unknown as Browserish;
      const svg = w.document.querySelector("#flow-drawing > svg")!;
      const box = svg.getBoundingClientRect();
      return { pageWidth: w.document.documentElement.scrollWidth, viewport: w.innerWidth, svgWidth: box.width, svgHeight: box.height, natural: svg.viewBox.baseVal.width * (4 / 3) };
    });
    expect(layout.pageWidth).toBeLessThanOrEqual(layout.viewport);
    expect(layout.svgHeight).toBeGreaterThan(200);
    // Never upscaled, never below three quarters of its natural size (the sample then scrolls in its box).
    expect(layout.svgWidth).toBeLessThanOrEqual(layout.natural + 1);
    expect(layout.svgWidth).toBeGreaterThanOrEqual((layout.natural * 3) / 4 - 1);
  });

  it("paints the drawing: the screenshot is not blank, and shows the kinds' colours and the coverage red", async () => {
    // A window wide enough for the whole drawing at its natural size, so the screenshot has all of it.
    const wide = await browser.newPage({ viewport: { width: 2900, height: 1200 }, deviceScaleFactor: 1 });
    await wide.goto(pageUrl);
    const drawing = wide.locator("#flow-drawing");
    expect(await drawing.evaluate((node) => (node as unknown as DomElement).scrollWidth <= (node as unknown as DomElement).clientWidth)).toBe(true);
    const shot = await drawing.screenshot();
    await wide.close();
    if (process.env.FLOW_SCREENSHOT) fs.writeFileSync(process.env.FLOW_SCREENSHOT, shot);
    const stats = pixelStats(shot);
    expect(stats.width).toBeGreaterThan(1000);
    expect(stats.offBackground).toBeGreaterThan(0.05);
    expect(stats.colours).toBeGreaterThanOrEqual(8);
    // Filled shapes: hundreds of pixels of each kind's fill.
    for (const kind of ["menu", "branching", "start", "queue", "asynchronous", "end", "error", "hangup"] as const) {
      const pixels = stats.near(NODE_STYLES[kind].fill);
      expect({ kind, enough: pixels > 300 }).toEqual({ kind, enough: true });
    }
    expect(stats.near("#c62828", 40)).toBeGreaterThan(60);

    // The check can fail: a blank page of the same size has nothing off the background.
    const blank = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    await blank.setContent("<!DOCTYPE html><html><body style='background:#fff'></body></html>");
    const empty = pixelStats(await blank.screenshot());
    await blank.close();
    expect(empty.offBackground).toBe(0);
    expect(empty.near(NODE_STYLES.menu.fill)).toBe(0);
  });

  it("shows every state's name as visible text of the drawing, inside the page and on top at its centre", async () => {
    const pageSize = await page.evaluate(() => {
      const w = globalThis as unknown as Browserish;
      return { width: w.document.documentElement.scrollWidth, height: w.document.documentElement.scrollHeight };
    });
    for (const node of sampleMap.nodes) {
      const text = page.locator("#flow-drawing svg g.node text").filter({ hasText: new RegExp(`^${escapeRegExp(node.label)}$`) });
      expect({ name: node.label, count: await text.count() }).toEqual({ name: node.label, count: 1 });
      await text.scrollIntoViewIfNeeded();
      expect({ name: node.label, visible: await text.isVisible() }).toEqual({ name: node.label, visible: true });
      const box = (await text.boundingBox())!;
      expect(box.width).toBeGreaterThan(node.label.length * 2.5);
      expect(box.height).toBeGreaterThanOrEqual(10);
      const inViewport = box.x >= 0 && box.y >= 0 && box.x + box.width <= VIEWPORT.width && box.y + box.height <= VIEWPORT.height;
      expect({ name: node.label, inViewport }).toEqual({ name: node.label, inViewport: true });
      const scroll = await page.evaluate(() => {
        const w = globalThis as unknown as Browserish;
        return { x: w.scrollX, y: w.scrollY };
      });
      expect(box.x + scroll.x + box.width).toBeLessThanOrEqual(pageSize.width);
      expect(box.y + scroll.y + box.height).toBeLessThanOrEqual(pageSize.height);
      // Nothing covers it: the topmost element at the text's centre belongs to the same node.
      const onTop = await text.evaluate((node) => {
        const w = globalThis as unknown as Browserish;
        const el = node as unknown as DomElement;
        const r = el.getBoundingClientRect();
        const hit = w.document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return hit !== null && hit.closest("g.node") === el.closest("g.node");
      });
      expect({ name: node.label, onTop }).toEqual({ name: node.label, onTop: true });
    }
  });

  it("a large map: the drawing scrolls inside its box at three quarters size, the page does not", async () => {
    const nodes: FlowMap["nodes"] = [{ id: "(call)", label: "Incoming call", kind: "start", prompt: "" }];
    const edges: FlowMap["edges"] = [];
    for (let i = 0; i < 60; i++) {
      nodes.push({ id: `state-${i}`, label: `state-${i}`, kind: i % 2 === 0 ? "menu" : "normal", prompt: `Prompt number ${i}, press 1 to go on.` });
      edges.push({ from: i === 0 ? "(call)" : `state-${i - 1}`, to: `state-${i}`, kind: i === 0 ? "call" : "key", inputs: i === 0 ? [] : ["1"] });
    }
    const file = path.join(dir, "large.html");
    fs.writeFileSync(file, await toHtml({ uri: "/big", nodes, edges, steps: 60, truncated: true }));
    const large = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    await large.goto(pathToFileURL(file).href);
    const layout = await large.evaluate(() => {
      const w = globalThis as unknown as Browserish;
      const box = w.document.querySelector("#flow-drawing")!;
      const svg = box.querySelector("svg")!;
      return { pageWidth: w.document.documentElement.scrollWidth, boxScroll: box.scrollWidth, boxWidth: box.clientWidth, svgWidth: svg.getBoundingClientRect().width, natural: svg.viewBox.baseVal.width * (4 / 3) };
    });
    expect(await large.locator(".warning").isVisible()).toBe(true);
    await large.close();
    expect(layout.pageWidth).toBeLessThanOrEqual(VIEWPORT.width);
    expect(layout.boxScroll).toBeGreaterThan(layout.boxWidth);
    expect(Math.abs(layout.svgWidth - (layout.natural * 3) / 4)).toBeLessThan(2);
  });
});
