// driver.mjs: one headless Chromium running page.js (matrix-js-sdk MatrixCall), driven by the Go
// package bosmessenger/internal/jscall over JSON lines.
//
// argv:   driver.mjs WEBDIR TONE.wav          (CHROMIUM names the browser, default /usr/bin/chromium)
// stdin:  {"id": N, "op": "...", "args": {...}}   calls window.bos[op](args) in the page
// stdout: {"ready": true, "user_agent": "..."}     once the page is loaded
//         {"id": N, "ok": true, "result": ...} | {"id": N, "ok": false, "error": "..."}
//         {"push": "...", ...}                     call events from the page
// stderr: the browser console and driver logs. The process exits when stdin closes.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import puppeteer from "puppeteer-core";

const [webDir, toneFile] = process.argv.slice(2);
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const log = (...a) => console.error("jscall:", ...a);

const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
const server = http.createServer((req, res) => {
  const rel = decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/^\/+/, "") || "index.html";
  const file = path.join(webDir, path.normalize(rel));
  if (!file.startsWith(webDir + path.sep)) {
    res.writeHead(403).end();
    return;
  }
  fs.readFile(file, (err, data) => {
    if (err) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" }).end(data);
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  pipe: true,
  args: [
    "--no-sandbox",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    `--use-file-for-fake-audio-capture=${toneFile}`,
    "--autoplay-policy=no-user-gesture-required",
    "--allow-loopback-in-peer-connection",
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
  ],
});
let closing = false;
browser.on("disconnected", () => {
  if (!closing) {
    log("browser disconnected");
    process.exit(3);
  }
});
const page = await browser.newPage();
page.on("console", (m) => {
  const t = m.type();
  if (t === "debug" && process.env.JSCALL_LOG !== "debug") return;
  console.error(`page ${t}: ${m.text()}`);
});
page.on("pageerror", (e) => console.error("page error:", e?.message ?? e));
await page.exposeFunction("bosPush", (ev) => out(ev));
await page.goto(`${origin}/index.html`, { waitUntil: "load" });
await page.waitForFunction("window.bosReady === true", { timeout: 60000 });
out({ ready: true, user_agent: await browser.userAgent() });

async function shutdown(code) {
  closing = true;
  await browser.close().catch(() => {});
  server.close();
  process.exit(code);
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", async (lineText) => {
  let req;
  try {
    req = JSON.parse(lineText);
  } catch (e) {
    log("bad request line:", e.message);
    return;
  }
  try {
    const result = await page.evaluate((op, args) => {
      const fn = window.bos[op];
      if (typeof fn !== "function") throw new Error(`unknown op ${op}`);
      return fn(args || {});
    }, req.op, req.args);
    out({ id: req.id, ok: true, result: result ?? null });
  } catch (e) {
    out({ id: req.id, ok: false, error: String(e?.message ?? e) });
  }
});
rl.on("close", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));
