// End to end: the real `vaultql serve` on a temporary copy of fixtures/demo-vault, and the BUILT
// main.js driven in headless Chromium (playwright-core + /usr/bin/chromium). The page loads the
// obsidian mock (bundled from test/mock/obsidian.ts) and main.js the way Obsidian does; the
// mock's requestUrl calls back into Node, which makes the HTTP request — as Obsidian's requestUrl
// does outside the renderer, so no CORS is involved.
//
// Usage: node e2e/run.mjs   (after `npm run build`). Env: VAULTQL_BIN (default ../.venv/bin/vaultql),
// CHROMIUM (default /usr/bin/chromium), VAULTQL_TEST_ARTIFACTS (screenshots; default ../test-artifacts).
// Exit status 0 when every check passes.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import esbuild from "esbuild";
import { chromium } from "playwright-core";

const PLUGIN = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = resolve(PLUGIN, "..");
const VAULTQL = process.env.VAULTQL_BIN ?? join(ROOT, ".venv", "bin", "vaultql");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = process.env.VAULTQL_TEST_ARTIFACTS ?? join(ROOT, "test-artifacts");
const TOKEN = randomBytes(24).toString("hex");
const TIMEOUT = 20000;

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

function markdownFiles(root, dir = root) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name.startsWith(".")) return [];
    if (statSync(path).isDirectory()) return markdownFiles(root, path);
    return name.endsWith(".md") ? [relative(root, path).split("\\").join("/")] : [];
  });
}

async function waitForServer(base, child) {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`vaultql serve exited with ${child.exitCode}`);
    try {
      const health = await (await fetch(`${base}/api/v1/health`)).json();
      if (health.ready) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the server did not become ready within 60 s");
}

async function api(base, path) {
  const response = await fetch(base + path, { headers: { Authorization: `Bearer ${TOKEN}` } });
  return { status: response.status, body: await response.json() };
}

const results = [];
async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok - ${name} (${Date.now() - started} ms)`);
  } catch (err) {
    results.push({ name, ok: false });
    console.log(`not ok - ${name}\n  ${String(err?.stack ?? err).split("\n").slice(0, 4).join("\n  ")}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const work = mkdtempSync(join(tmpdir(), "vaultql-e2e-"));
const vault = join(work, "vault");
cpSync(join(ROOT, "fixtures", "demo-vault"), vault, { recursive: true });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const serverLog = [];
const server = spawn(
  VAULTQL,
  ["serve", vault, "--port", String(port), "--token", TOKEN, "--no-cache", "--quiet", "--index-dir", join(work, "index")],
  { stdio: ["ignore", "pipe", "pipe"], detached: true },
);
server.stdout.on("data", (chunk) => serverLog.push(String(chunk)));
server.stderr.on("data", (chunk) => serverLog.push(String(chunk)));
let browser;

function stopServer() {
  if (server.exitCode === null) {
    try {
      process.kill(-server.pid, "SIGTERM"); // its process group: the server we started, nothing else
    } catch {
      // already gone
    }
  }
}

try {
  await waitForServer(base, server);
  const mock = await esbuild.build({
    entryPoints: [join(PLUGIN, "test", "mock", "obsidian.ts")],
    bundle: true,
    format: "iife",
    globalName: "obsidianMock",
    write: false,
    target: "es2020",
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (err) => pageErrors.push(String(err)));
  let requestCount = 0;
  await page.exposeFunction("__vaultqlHttp", async (param) => {
    requestCount++;
    const response = await fetch(param.url, {
      method: param.method,
      headers: param.headers,
      body: param.body ?? undefined,
    });
    return { status: response.status, text: await response.text() };
  });
  await page.setContent("<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>");
  await page.addStyleTag({ content: readFileSync(join(PLUGIN, "styles.css"), "utf8") });
  await page.addScriptTag({ content: mock.outputFiles[0].text });
  await page.evaluate(
    async ({ mainJs, settings, paths, vaultPath }) => {
      const o = window.obsidianMock;
      o.setRequestHandler((p) =>
        window.__vaultqlHttp({ url: p.url, method: p.method ?? "GET", headers: p.headers ?? {}, body: p.body ?? null }),
      );
      const app = new o.App(paths, vaultPath);
      app.pluginData = settings;
      const module = { exports: {} };
      const require = (name) => {
        if (name === "obsidian") return o;
        throw new Error(`main.js required ${name}`);
      };
      new Function("module", "exports", "require", mainJs)(module, module.exports, require);
      const plugin = new module.exports.default(app, { id: "vaultql", name: "VaultQL", version: "0.1.0" });
      plugin.load();
      await plugin._loading;
      window.app = app;
      window.plugin = plugin;
      window.blocks = {};
      window.block = (name, source, origin) => {
        const section = o.renderCodeBlock(app, "vaultql", source, origin);
        section.el.id = name;
        window.blocks[name] = section;
      };
    },
    {
      mainJs: readFileSync(join(PLUGIN, "main.js"), "utf8"),
      settings: { serverUrl: base, token: TOKEN, pollSeconds: 0.3 },
      paths: markdownFiles(vault),
      vaultPath: vault,
    },
  );
  const waitText = (selector, predicate, what) =>
    page
      .waitForFunction(
        ({ selector, predicate }) => {
          const el = document.querySelector(selector);
          return el !== null && new Function("t", `return ${predicate}`)(el.textContent ?? "");
        },
        { selector, predicate },
        { timeout: TIMEOUT },
      )
      .catch(async () => {
        const html = await page.evaluate((s) => document.querySelector(s)?.outerHTML ?? "(missing)", selector);
        throw new Error(`${what}: ${html.slice(0, 600)}`);
      });

  await check("the status bar shows the connected server", async () => {
    await waitText(".status-bar-item", "t.startsWith('VaultQL: ready')", "status bar");
    const text = await page.textContent(".status-bar-item");
    const status = await api(base, "/api/v1/status");
    assert(text === `VaultQL: ready · ${status.body.notes} notes`, text);
  });

  await check("a query block renders the server's typed table", async () => {
    await page.evaluate(() =>
      window.block("projects", 'TABLE status, due FROM "Projects" SORT file.name', "Home.md"),
    );
    await waitText("#projects tbody", "t.includes('Garden Planning')", "table");
    const rows = await page.$$eval("#projects tbody tr", (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent)),
    );
    assert(rows.length === 3, JSON.stringify(rows));
    assert(JSON.stringify(rows[0]) === JSON.stringify(["Garden Planning", "paused", "-"]), JSON.stringify(rows[0]));
    assert(rows[2][2] === "April 30, 2024", JSON.stringify(rows[2]));
    const href = await page.getAttribute("#projects tbody a.internal-link", "data-href");
    assert(href === "Projects/Garden Planning.md", href);
  });

  await check("the block updates after the note is edited on disk", async () => {
    const note = join(vault, "Projects", "Garden Planning.md");
    const before = await page.getAttribute("#projects", "data-revision");
    writeFileSync(note, readFileSync(note, "utf8").replace("status: paused", "status: active"));
    await waitText("#projects tbody tr:first-child td:nth-child(2)", "t === 'active'", "updated cell");
    const after = await page.getAttribute("#projects", "data-revision");
    assert(Number(after) > Number(before), `revision ${before} -> ${after}`);
  });

  await check("a query with `this` is answered for the note it sits in", async () => {
    await page.evaluate(() => window.block("this", "LIST FROM [[]] SORT file.name", "Projects/Website Redesign.md"));
    await waitText("#this ul", "t.includes('Home')", "list");
    const direct = await fetch(`${base}/api/v1/query`, {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ query: "LIST FROM [[]] SORT file.name", origin: "Projects/Website Redesign.md" }),
    }).then((r) => r.json());
    const shown = await page.$$eval("#this ul.vaultql-list-view > li", (lis) => lis.length);
    assert(shown === direct.count && shown > 0, `${shown} vs ${direct.count}`);
  });

  await check("tasks render with read-only checkboxes", async () => {
    await page.evaluate(() => window.block("tasks", 'TASK FROM "Projects/Learn Rust"', "Home.md"));
    await waitText("#tasks ul.vaultql-tasks", "t.length > 0", "tasks");
    const boxes = await page.$$eval("#tasks input[type=checkbox]", (inputs) =>
      inputs.map((i) => ({ checked: i.checked, disabled: i.disabled })),
    );
    assert(boxes.length === 3 && boxes.every((b) => b.disabled), JSON.stringify(boxes));
    assert(boxes.filter((b) => b.checked).length === 3, JSON.stringify(boxes)); // x, x and "-" (checked)
  });

  await check("a syntax error shows its line, column and caret", async () => {
    await page.evaluate(() => window.block("broken", 'TABLE status FROM "Projects"\nSORT', "Home.md"));
    await waitText("#broken .vaultql-error-position", "t === 'line 2, column 1'", "error position");
    const context = await page.textContent("#broken pre.vaultql-error-context");
    assert(context === "SORT\n^", JSON.stringify(context));
  });

  await check("the dashboard view shows PARA projects and the weekly review", async () => {
    await page.evaluate(() => window.app.commands.get("vaultql:open-dashboard").callback());
    await waitText(".vaultql-projects tbody", "t.includes('Website Redesign')", "PARA");
    const para = await api(base, "/api/v1/dashboards/para");
    const rows = await page.$$eval(".vaultql-projects tbody tr", (trs) => trs.length);
    assert(rows === para.body.projects.length, `${rows} rows`);
    await page.click('button[data-tab="review"]');
    await waitText(".vaultql-review", "t.length > 0", "review");
    const review = await api(base, "/api/v1/dashboards/review");
    const items = await page.$$eval(".vaultql-review-item", (lis) => lis.length);
    assert(items === review.body.items.length, `${items} review items vs ${review.body.items.length}`);
  });

  await check("the sidebar follows the active note and shows what the server answers", async () => {
    const path = "Projects/Website Redesign.md";
    await page.evaluate(async (path) => {
      await window.app.commands.get("vaultql:open-related").callback();
      window.app.workspace.setActiveFile(window.app.vault.getAbstractFileByPath(path));
    }, path);
    await waitText(".vaultql-related .vaultql-related-notes", "t.length > 20", "related section");
    const related = await api(base, `/api/v1/related?path=${encodeURIComponent(path)}`);
    if (related.status === 200) {
      const shown = await page.$$eval(".vaultql-related-item", (items) => items.length);
      assert(shown === related.body.results.length, `${shown} vs ${related.body.results.length}`);
    } else {
      const text = await page.textContent(".vaultql-related-notes .vaultql-error");
      assert(text.includes(related.body.error.message), text);
    }
  });

  await check("the search modal lists hits and Enter opens the note", async () => {
    await page.evaluate(() => window.app.commands.get("vaultql:search").callback());
    await page.fill("input.prompt-input", "sourdough");
    const found = await api(base, "/api/v1/search?q=sourdough&mode=hybrid&k=20");
    if (found.status === 200 && found.body.results.length > 0) {
      await waitText(".prompt-results .suggestion-item", "t.length > 0", "search hits");
      const first = await page.textContent(".suggestion-item .vaultql-search-path");
      assert(first === found.body.results[0].path, first);
      await page.press("input.prompt-input", "Enter");
      const opened = await page.evaluate(() => window.app.workspace.opened.at(-1));
      assert(opened.linktext.startsWith(found.body.results[0].path), JSON.stringify(opened));
    } else {
      await waitText(".prompt-results .vaultql-error", "t.length > 0", "search error");
      const text = await page.textContent(".prompt-results .vaultql-error");
      assert(text.includes(found.body.error?.message ?? "no results"), text);
      await page.keyboard.press("Escape");
    }
  });

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, "plugin-e2e.png"), fullPage: true });

  await check("when the server stops, the status bar says so and gives the start command", async () => {
    stopServer();
    await waitText(".status-bar-item", "t.includes('server not running')", "offline status bar");
    const text = await page.textContent(".status-bar-item");
    assert(text.includes(`vaultql serve ${vault} --port ${port}`) || text.includes(`vaultql serve "${vault}" --port ${port}`), text);
  });

  await check("unloading the plugin removes its UI and stops all requests", async () => {
    await page.evaluate(() => window.plugin.unload());
    const counts = await page.evaluate(() => ({
      status: document.querySelectorAll(".status-bar-item").length,
      views: document.querySelectorAll(".vaultql-dashboard, .vaultql-related").length,
      processors: window.app.codeBlockProcessors.size,
    }));
    assert(counts.status === 0 && counts.views === 0 && counts.processors === 0, JSON.stringify(counts));
    const before = requestCount;
    await page.waitForTimeout(1000);
    assert(requestCount === before, `${requestCount - before} requests after unload`);
  });

  await check("no uncaught errors in the page", async () => {
    assert(pageErrors.length === 0, pageErrors.join("\n"));
  });
} catch (err) {
  results.push({ name: "set-up", ok: false });
  console.log(`not ok - set-up: ${err?.stack ?? err}`);
  console.log(serverLog.join("").slice(-2000));
} finally {
  await browser?.close();
  stopServer();
  rmSync(work, { recursive: true, force: true });
}

const failed = results.filter((r) => !r.ok).length;
console.log(`\n${results.length - failed} passed, ${failed} failed`);
if (!existsSync(CHROMIUM)) console.log(`(no Chromium at ${CHROMIUM})`);
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
