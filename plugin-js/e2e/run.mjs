// End to end: the real `vaultql serve` on a temporary copy of fixtures/demo-vault, and the BUILT
// main.js driven in headless Chromium (playwright-core + /usr/bin/chromium). The page loads the
// obsidian mock (bundled from test/mock/obsidian.ts, with CodeMirror) and main.js the way
// Obsidian does; the mock's requestUrl calls back into Node, which makes the HTTP request — as
// Obsidian's requestUrl does outside the renderer, so no CORS is involved. The vault's files are
// the real ones on disk (`app.vault.process` reads and writes them through Node), and the
// plugin's `require("child_process")` spawns real processes through Node too, so the plugin can
// start, restart and stop a real `vaultql serve` itself.
//
// Usage: node e2e/run.mjs   (after `npm run build`). Env: VAULTQL_BIN (default ../.venv/bin/vaultql),
// CHROMIUM (default /usr/bin/chromium), VAULTQL_TEST_ARTIFACTS (screenshots; default ../test-artifacts).
// Exit status 0 when every check passes; the last line is "N passed, N failed, N skipped".
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

/** Every file of the vault (notes and attachments), as vault-relative paths. */
function vaultFiles(root, dir = root) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name.startsWith(".")) return [];
    if (statSync(path).isDirectory()) return vaultFiles(root, path);
    return [relative(root, path).split("\\").join("/")];
  });
}

async function waitForServer(base, child) {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`vaultql serve exited with ${child.exitCode}`);
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

async function api(base, path, body) {
  const response = await fetch(base + path, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const results = [];
async function check(name, fn) {
  const started = Date.now();
  try {
    const skipped = await fn();
    if (typeof skipped === "string") {
      results.push({ name, ok: true, skipped: true });
      console.log(`ok - ${name} # SKIP ${skipped}`);
      return;
    }
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Whether a process is still there (signal 0 checks without signalling). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of processes whose command line mentions `text` (Linux /proc). */
function processesMentioning(text) {
  if (!existsSync("/proc")) return [];
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const work = mkdtempSync(join(tmpdir(), "vaultql-e2e-"));
const vault = join(work, "vault");
cpSync(join(ROOT, "fixtures", "demo-vault"), vault, { recursive: true });
// The processes the plugin starts keep their token and index here, not in the user's folders.
const isolated = { XDG_CONFIG_HOME: join(work, "config"), XDG_CACHE_HOME: join(work, "cache") };
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const serverLog = [];
let server = null;
const children = new Map(); // processes the plugin spawned through the bridge, by id

function startServer() {
  const child = spawn(
    VAULTQL,
    ["serve", vault, "--port", String(port), "--token", TOKEN, "--no-cache", "--quiet", "--index-dir", join(work, "index")],
    { stdio: ["ignore", "pipe", "pipe"], detached: true, env: { ...process.env, ...isolated } },
  );
  child.stdout.on("data", (chunk) => serverLog.push(String(chunk)));
  child.stderr.on("data", (chunk) => serverLog.push(String(chunk)));
  return child;
}

const running = (child) => child !== null && child.exitCode === null && child.signalCode === null;

function stopServer(child = server, signal = "SIGTERM") {
  if (running(child)) {
    try {
      process.kill(-child.pid, signal); // its process group: the server we started, nothing else
    } catch {
      // already gone
    }
  }
  return new Promise((done) => (running(child) ? child.once("exit", done) : done()));
}

let browser;
let mockBundle;

/** A page with the obsidian mock, real files through Node, and the built plugin loaded. */
async function openPage(settings, { paths = vaultFiles(vault), vaultPath = vault, viewport = { width: 1280, height: 3000 } } = {}) {
  const page = await browser.newPage({ viewport });
  const state = { requests: [], errors: [] };
  page.on("pageerror", (err) => state.errors.push(String(err)));
  await page.exposeFunction("__vaultqlHttp", async (param) => {
    state.requests.push({ url: param.url, body: param.body });
    const response = await fetch(param.url, {
      method: param.method,
      headers: param.headers,
      body: param.body ?? undefined,
    });
    return { status: response.status, text: await response.text() };
  });
  await page.exposeFunction("__vaultqlRead", (path) => readFileSync(join(vaultPath, path), "utf8"));
  await page.exposeFunction("__vaultqlWrite", (path, text) => writeFileSync(join(vaultPath, path), text));
  await page.exposeFunction("__vaultqlSpawn", (command, args) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...isolated } });
    const id = `${child.pid ?? "x"}-${children.size}`;
    children.set(id, child);
    const send = (event, ...data) =>
      page.evaluate(([id, event, data]) => window.__childEvent(id, event, data), [id, event, data]).catch(() => undefined);
    child.stdout.on("data", (chunk) => void send("stdout", String(chunk)));
    child.stderr.on("data", (chunk) => void send("stderr", String(chunk)));
    child.on("error", (err) => void send("error", err.message, err.code));
    child.on("exit", (code, signal) => void send("exit", code, signal));
    return { id, pid: child.pid ?? null };
  });
  await page.exposeFunction("__vaultqlKill", (id, signal) => children.get(id)?.kill(signal) ?? false);
  await page.setContent("<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>");
  await page.addStyleTag({ content: readFileSync(join(PLUGIN, "styles.css"), "utf8") });
  await page.addScriptTag({ content: mockBundle });
  await page.evaluate(
    async ({ mainJs, settings, paths, vaultPath }) => {
      const { obsidian: o, cmState, cmView, cmLanguage } = window.harness;
      o.setRequestHandler((p) =>
        window.__vaultqlHttp({ url: p.url, method: p.method ?? "GET", headers: p.headers ?? {}, body: p.body ?? null }),
      );
      // Node's child_process, as the desktop app gives it to plugins, through the bridge.
      const live = new Map();
      window.__childEvent = (id, event, data) => {
        const child = live.get(id);
        if (!child) return;
        if (event === "exit") {
          [child.exitCode, child.signalCode] = data;
          live.delete(id);
        }
        if (event === "stdout" || event === "stderr") child[event].listeners.forEach((fn) => fn(data[0]));
        else if (event === "error") child.listeners.error?.forEach((fn) => fn(Object.assign(new Error(data[0]), { code: data[1] })));
        else child.listeners[event]?.forEach((fn) => fn(...data));
      };
      const stream = () => ({ listeners: [], on(_event, fn) { this.listeners.push(fn); } });
      const childProcess = {
        spawn(command, args) {
          const child = {
            pid: undefined,
            exitCode: null,
            signalCode: null,
            stdout: stream(),
            stderr: stream(),
            listeners: {},
            on(event, fn) {
              (this.listeners[event] ??= []).push(fn);
              return this;
            },
            kill(signal = "SIGTERM") {
              void this.started.then((id) => window.__vaultqlKill(id, signal));
              return true;
            },
          };
          child.started = window.__vaultqlSpawn(command, args).then(({ id, pid }) => {
            child.pid = pid;
            live.set(id, child);
            return id;
          });
          window.spawned.push(child);
          return child;
        },
      };
      window.spawned = [];
      const app = new o.App(paths, vaultPath);
      // The vault's files are the real ones: Obsidian's atomic process() on the disk file.
      app.vault.process = async (file, fn) => {
        const underneath = window.__underneath;
        window.__underneath = null;
        if (underneath) await underneath(); // an edit that lands between the render and the click
        const before = await window.__vaultqlRead(file.path);
        const after = fn(before);
        if (after !== before) await window.__vaultqlWrite(file.path, after);
        app.vault.processed.push({ path: file.path, changed: after !== before });
        return after;
      };
      app.pluginData = settings;
      const modules = { obsidian: o, "@codemirror/state": cmState, "@codemirror/view": cmView, "@codemirror/language": cmLanguage, child_process: childProcess };
      const module = { exports: {} };
      const require = (name) => {
        if (name in modules) return modules[name];
        throw new Error(`main.js required ${name}`);
      };
      new Function("module", "exports", "require", mainJs)(module, module.exports, require);
      const plugin = new module.exports.default(app, { id: "vaultql", name: "VaultQL", version: "0.2.0" });
      plugin.load();
      await plugin._loading;
      window.app = app;
      window.plugin = plugin;
      window.hovers = [];
      app.workspace.on("hover-link", (info) => window.hovers.push({ source: info.source, linktext: info.linktext, sourcePath: info.sourcePath }));
      window.blocks = {};
      window.block = (name, source, origin, language = "vaultql") => {
        const section = o.renderCodeBlock(app, language, source, origin);
        section.el.id = name;
        window.blocks[name] = section;
      };
      window.section = (name, html, origin) => {
        const section = o.renderSection(app, html, origin);
        section.el.id = name;
        window.blocks[name] = section;
      };
      window.drop = (name) => {
        window.blocks[name]?.unload();
        window.blocks[name]?.el.remove();
      };
    },
    { mainJs: readFileSync(join(PLUGIN, "main.js"), "utf8"), settings, paths, vaultPath },
  );
  const waitText = (selector, predicate, what, timeout = TIMEOUT) =>
    page
      .waitForFunction(
        ({ selector, predicate }) => {
          const el = document.querySelector(selector);
          return el !== null && new Function("t", `return ${predicate}`)(el.textContent ?? "");
        },
        { selector, predicate },
        { timeout },
      )
      .catch(async () => {
        const html = await page.evaluate((s) => document.querySelector(s)?.outerHTML ?? "(missing)", selector);
        throw new Error(`${what}: ${html.slice(0, 600)}`);
      });
  const queriesFor = (text) => state.requests.filter((r) => r.url.endsWith("/api/v1/query") && r.body?.includes(text)).length;
  return { page, state, waitText, queriesFor };
}

const edit = (path, from, to) => {
  const file = join(vault, path);
  const text = readFileSync(file, "utf8");
  assert(text.includes(from), `${path} has no ${JSON.stringify(from)}`);
  writeFileSync(file, text.replace(from, to));
};

try {
  server = startServer();
  await waitForServer(base, server);
  mockBundle = (
    await esbuild.build({
      stdin: {
        contents: [
          'export * as obsidian from "./test/mock/obsidian";',
          'export * as cmState from "@codemirror/state";',
          'export * as cmView from "@codemirror/view";',
          'export * as cmLanguage from "@codemirror/language";',
        ].join("\n"),
        resolveDir: PLUGIN,
        loader: "ts",
      },
      bundle: true,
      format: "iife",
      globalName: "harness",
      write: false,
      target: "es2020",
    })
  ).outputFiles[0].text;
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
  const { page, state, waitText, queriesFor } = await openPage({
    serverMode: "external",
    serverUrl: base,
    token: TOKEN,
    pollSeconds: 0.3,
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
    const head = await page.textContent("#projects thead th");
    assert(head === "File (3)", head);
  });

  await check("the block updates after the note is edited on disk", async () => {
    const before = await page.getAttribute("#projects", "data-revision");
    edit("Projects/Garden Planning.md", "status: paused", "status: active");
    await waitText("#projects tbody tr:first-child td:nth-child(2)", "t === 'active'", "updated cell");
    const after = await page.getAttribute("#projects", "data-revision");
    assert(Number(after) > Number(before), `revision ${before} -> ${after}`);
  });

  await check("links: hover previews them, Ctrl-click opens a new tab", async () => {
    const link = "#projects tbody tr:nth-child(2) a.internal-link";
    await page.hover(link);
    const hovers = await page.evaluate(() => window.hovers);
    assert(
      hovers.some((h) => h.source === "vaultql-results" && h.linktext === "Projects/Learn Rust.md" && h.sourcePath === "Home.md"),
      JSON.stringify(hovers),
    );
    await page.click(link, { modifiers: ["Control"] });
    const opened = await page.evaluate(() => window.app.workspace.opened.at(-1));
    assert(opened.linktext === "Projects/Learn Rust.md" && opened.newLeaf === "tab", JSON.stringify(opened));
    await page.click(link);
    const plain = await page.evaluate(() => window.app.workspace.opened.at(-1));
    assert(plain.newLeaf === undefined, JSON.stringify(plain));
  });

  await check("a restarted server (an edit in between) refreshes the block", async () => {
    const restart = async (change) => {
      await stopServer(server, "SIGKILL"); // at once (a graceful stop waits for idle connections)
      change?.();
      server = startServer(); // a new instance; with --no-cache its revisions start from 1 again
      await waitForServer(base, server);
    };
    // First bring the block to revision 1 of a new instance, so that the restart below is told
    // apart by its instance alone: its revision is 1 again.
    await restart();
    await page.waitForFunction(() => document.querySelector("#projects")?.getAttribute("data-revision") === "1");
    await sleep(400);
    await restart(() => edit("Projects/Garden Planning.md", "status: active", "status: restarted"));
    const status = await api(base, "/api/v1/status");
    assert(status.body.revision === 1, `revision ${status.body.revision} after the restart`);
    await waitText("#projects tbody tr:first-child td:nth-child(2)", "t === 'restarted'", "cell after the restart");
  });

  await check("a failing block asks nothing between revisions, and once per revision", async () => {
    await page.evaluate(() => window.block("broken", 'TABLE status FROM "Projects"\nSORT', "Home.md"));
    await waitText("#broken .vaultql-error-position", "t === 'line 2, column 1'", "error position");
    const context = await page.textContent("#broken pre.vaultql-error-context");
    assert(context === "SORT\n^", JSON.stringify(context));
    await sleep(300);
    const asked = queriesFor("SORT\"");
    await sleep(1500); // five polls
    assert(queriesFor("SORT\"") === asked, `${queriesFor("SORT\"") - asked} requests between revisions`);
    const revision = Number(await page.getAttribute("#projects", "data-revision"));
    edit("Projects/Garden Planning.md", "status: restarted", "status: paused");
    await page.waitForFunction((r) => Number(document.querySelector("#projects")?.getAttribute("data-revision")) > r, revision);
    await sleep(700);
    assert(queriesFor("SORT\"") === asked + 1, `${queriesFor("SORT\"") - asked} requests for one revision`);
    await page.evaluate(() => window.drop("broken"));
  });

  await check("a hidden block is refreshed only when it is shown again", async () => {
    const query = 'LIST status FROM "Projects" SORT file.name';
    await page.evaluate((q) => window.block("hidden", q, "Home.md"), query);
    await waitText("#hidden", "t.includes('Garden Planning')", "list");
    await page.evaluate(() => (document.getElementById("hidden").style.display = "none"));
    await sleep(300);
    const asked = queriesFor("LIST status");
    edit("Projects/Learn Rust.md", "status: done", "status: shelved");
    await waitText("#projects tbody tr:nth-child(2) td:nth-child(2)", "t === 'shelved'", "shown block");
    await sleep(700);
    assert(queriesFor("LIST status") === asked, `${queriesFor("LIST status") - asked} requests while hidden`);
    await page.evaluate(() => (document.getElementById("hidden").style.display = ""));
    await waitText("#hidden", "t.includes('shelved')", "shown again");
    assert(queriesFor("LIST status") === asked + 1, `${queriesFor("LIST status") - asked} requests when shown`);
    await page.evaluate(() => window.drop("hidden"));
  });

  await check("a query with `this` is answered for the note it sits in", async () => {
    await page.evaluate(() => window.block("this", "LIST FROM [[]] SORT file.name", "Projects/Website Redesign.md"));
    await waitText("#this ul", "t.includes('Home')", "list");
    const direct = await api(base, "/api/v1/query", { query: "LIST FROM [[]] SORT file.name", origin: "Projects/Website Redesign.md" });
    const shown = await page.$$eval("#this ul.vaultql-list-view > li", (lis) => lis.length);
    assert(shown === direct.body.count && shown > 0, `${shown} vs ${direct.body.count}`);
    await page.evaluate(() => window.drop("this"));
  });

  await check("nested tasks show once, under their parent; a child without its parent is a root", async () => {
    await page.evaluate(() => window.block("tasks", 'TASK FROM "Projects/Website Redesign"', "Home.md"));
    await waitText("#tasks ul.vaultql-tasks", "t.length > 0", "tasks");
    const lines = await page.$$eval("#tasks li.task-list-item", (lis) => lis.map((li) => li.getAttribute("data-source-line")));
    assert(JSON.stringify(lines) === JSON.stringify(["17", "18", "19", "20", "21", "22"]), JSON.stringify(lines));
    const top = await page.$$eval("#tasks ul.vaultql-tasks > li", (lis) => lis.map((li) => li.getAttribute("data-source-line")));
    assert(JSON.stringify(top) === JSON.stringify(["17", "18", "21", "22"]), JSON.stringify(top));
    await page.evaluate(() => window.block("orphan", 'TASK FROM "Projects/Website Redesign" WHERE text = "Home page"', "Home.md"));
    await waitText("#orphan ul.vaultql-tasks", "t.includes('Home page')", "child alone");
    const alone = await page.$$eval("#orphan ul.vaultql-tasks > li", (lis) => lis.map((li) => li.getAttribute("data-source-line")));
    assert(JSON.stringify(alone) === JSON.stringify(["19"]), JSON.stringify(alone));
    await page.evaluate(() => window.block("grouped", 'TASK FROM "Projects" WHERE !completed GROUP BY file.link', "Home.md"));
    await waitText("#grouped .vaultql-group", "t.length > 0", "groups");
    const group = await page.$$eval("#grouped .vaultql-group", (groups) =>
      groups.map((g) => [g.querySelector("h4").textContent, Array.from(g.querySelectorAll("li.task-list-item")).map((li) => li.getAttribute("data-source-line"))]),
    );
    const redesign = group.find(([heading]) => heading.startsWith("Website Redesign"));
    assert(redesign && new Set(redesign[1]).size === redesign[1].length, JSON.stringify(group));
    assert(/^Website Redesign \d+$/.test(redesign[0]), JSON.stringify(redesign[0]));
    await page.evaluate(() => ["orphan", "grouped"].forEach(window.drop));
  });

  await check("ticking a task rewrites its line in the note; a line changed underneath is left alone", async () => {
    const note = join(vault, "Projects", "Website Redesign.md");
    const original = readFileSync(note, "utf8");
    await page.locator("#tasks").screenshot({ path: join(ARTIFACTS, "plugin-e2e-tasks.png") });
    await page.check('#tasks li[data-source-line="18"] > input');
    const ticked = original.replace("- [ ] Draft wireframes", "- [x] Draft wireframes");
    await page.waitForFunction(() => window.app.vault.processed.length === 1);
    assert(readFileSync(note, "utf8") === ticked, "the note's bytes after ticking");
    // The server sees the edit: the block re-renders with the task checked.
    await page.waitForFunction(() => document.querySelector('#tasks li[data-source-line="18"]')?.getAttribute("data-task") === "x");
    await page.waitForFunction(() => document.querySelector('#tasks li[data-source-line="18"] > input')?.checked === true);
    // Someone edits the next task just before the click lands: nothing is written.
    const edited = ticked.replace("    - [ ] Home page", "    - [ ] Home page, mobile first");
    await page.evaluate((text) => {
      window.__underneath = () => window.__vaultqlWrite("Projects/Website Redesign.md", text);
    }, edited);
    await page.click('#tasks li[data-source-line="19"] > input');
    await page.waitForFunction(() => window.app.vault.processed.length === 2);
    assert(readFileSync(note, "utf8") === edited, "the note after a refused tick");
    const notice = await page.evaluate(() => window.harness.obsidian.Notice.messages);
    assert(notice.at(-1).includes("The task changed in Website Redesign"), JSON.stringify(notice));
    const box = await page.evaluate(() => document.querySelector('#tasks li[data-source-line="19"] > input')?.checked);
    assert(box === false, "the checkbox went back");
    writeFileSync(note, original);
    await waitText('#tasks li[data-source-line="19"]', "t.startsWith('Home page') && !t.includes('mobile')", "restored");
    await page.evaluate(() => window.drop("tasks"));
  });

  await check("CALENDAR shows a month with a dot per note, navigation and links", async () => {
    await page.evaluate(() => window.block("calendar", 'CALENDAR due FROM "Projects"', "Home.md"));
    await waitText("#calendar .vaultql-calendar-title", "t.length > 0", "calendar");
    const months = await page.evaluate(() => {
      const now = new Date();
      return (now.getFullYear() - 2024) * 12 + now.getMonth() - 3; // back to April 2024
    });
    await page.evaluate((months) => {
      for (let i = 0; i < months; i++) document.querySelector("#calendar button.vaultql-calendar-prev").click();
    }, months);
    await waitText("#calendar .vaultql-calendar-title", "t === 'April 2024'", "April 2024");
    const dots = await page.$$eval("#calendar a.vaultql-calendar-dot", (as) =>
      as.map((a) => [a.closest("td").getAttribute("data-date"), a.getAttribute("data-href")]),
    );
    assert(JSON.stringify(dots) === JSON.stringify([["2024-04-30", "Projects/Website Redesign.md"]]), JSON.stringify(dots));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator("#calendar").screenshot({ path: join(ARTIFACTS, "plugin-e2e-calendar.png") });
    await page.click("#calendar a.vaultql-calendar-dot", { modifiers: ["Control"] });
    const opened = await page.evaluate(() => window.app.workspace.opened.at(-1));
    assert(opened.linktext === "Projects/Website Redesign.md" && opened.newLeaf === "tab", JSON.stringify(opened));
    await page.evaluate(() => window.drop("calendar"));
  });

  await check("elink(): javascript: is plain text, https is a link; function values show <function>", async () => {
    const query = 'TABLE WITHOUT ID elink("javascript:alert(1)", "bad") AS bad, elink("https://example.org", "good") AS good, (x) => x AS fn LIMIT 1';
    await page.evaluate((q) => window.block("elinks", q, "Home.md"), query);
    await waitText("#elinks tbody", "t.includes('good')", "links");
    const cells = await page.$$eval("#elinks tbody td", (tds) => tds.map((td) => [td.textContent, td.querySelector("a")?.getAttribute("href") ?? null]));
    assert(JSON.stringify(cells) === JSON.stringify([["bad", null], ["good", "https://example.org"], ["<function>", null]]), JSON.stringify(cells));
    await page.evaluate(() => window.drop("elinks"));
  });

  await check("embeds: embed(link) of an image shows the image", async () => {
    const query = 'TABLE WITHOUT ID embed(link("Attachments/garden-plan.png")) AS image FROM "Projects/Garden Planning"';
    await page.evaluate((q) => window.block("embeds", q, "Home.md"), query);
    await page.waitForSelector("#embeds img.vaultql-embed-image", { timeout: TIMEOUT });
    const src = await page.getAttribute("#embeds img.vaultql-embed-image", "src");
    assert(src === "app://local/Attachments/garden-plan.png", src);
    await page.evaluate(() => window.drop("embeds"));
  });

  await check("inline queries: `= expression` shows its value; `$=` stays code", async () => {
    const probe = await api(base, "/api/v1/eval", { expression: "this.status", origin: "Projects/Website Redesign.md" });
    if (probe.status === 404) return "the server has no /api/v1/eval yet";
    await page.evaluate(() =>
      window.section("inline", "<p>Status: <code>= this.status</code>, owner <code>= this.owner</code>, <code>$= dv.current()</code></p>", "Projects/Website Redesign.md"),
    );
    await waitText("#inline", "t.includes('Status: active') && t.includes('Alice Chen')", "inline values");
    const text = await page.textContent("#inline");
    assert(text === "Status: active, owner Alice Chen, $= dv.current()", JSON.stringify(text));
    const js = await page.getAttribute("#inline code.vaultql-inline-js", "title");
    assert(js === "Inline DataviewJS is not run by VaultQL", js);
    edit("Projects/Website Redesign.md", "status: active", "status: on hold");
    await waitText("#inline", "t.includes('Status: on hold')", "inline value after an edit");
    edit("Projects/Website Redesign.md", "status: on hold", "status: active");
    await page.evaluate(() => window.drop("inline"));
  });

  await check("Dataview's settings file: a date format and the null text change what blocks show", async () => {
    const status = await api(base, "/api/v1/status");
    if (!status.body.dataview_settings) return "the server does not report dataview_settings yet";
    const settings = join(vault, ".obsidian", "plugins", "dataview", "data.json");
    mkdirSync(dirname(settings), { recursive: true });
    writeFileSync(settings, JSON.stringify({ defaultDateFormat: "yyyy-MM-dd", renderNullAs: "nothing" }));
    await waitText("#projects tbody tr:nth-child(3) td:nth-child(3)", "t === '2024-04-30'", "date in the vault's format");
    const empty = await page.textContent("#projects tbody tr:first-child td:nth-child(3)");
    assert(empty === "nothing", JSON.stringify(empty));
    rmSync(settings);
    await waitText("#projects tbody tr:nth-child(3) td:nth-child(3)", "t === 'April 30, 2024'", "back to the default");
  });

  await check("```dataview blocks: the setting registers and unregisters the processor", async () => {
    const toggle = async (on) => {
      await page.evaluate(async (on) => {
        const tab = window.app.settingTabs[0];
        tab.display();
        const setting = Array.from(tab.containerEl.querySelectorAll(".setting-item")).find((s) =>
          s.querySelector(".setting-item-name").textContent.includes("dataview"),
        );
        const input = setting.querySelector("input[type=checkbox]");
        input.checked = on;
        input.dispatchEvent(new Event("change"));
        await new Promise((r) => setTimeout(r, 50));
      }, on);
    };
    await toggle(true);
    await page.evaluate(() => window.block("dv", 'TABLE status FROM "Projects" SORT file.name', "Home.md", "dataview"));
    await waitText("#dv tbody", "t.includes('Garden Planning')", "dataview block");
    await toggle(false);
    const registered = await page.evaluate(() => window.app.codeBlockProcessors.has("dataview"));
    assert(registered === false, "still registered");
    await toggle(true);
    await toggle(false);
    await page.evaluate(() => window.drop("dv"));
  });

  await check("the dashboard view shows PARA projects and the weekly review", async () => {
    await page.evaluate(() => window.app.commands.get("vaultql:open-dashboard").callback());
    await waitText(".vaultql-projects tbody", "t.includes('Website Redesign')", "PARA");
    const para = await api(base, "/api/v1/dashboards/para");
    const rows = await page.$$eval(".vaultql-projects tbody tr", (trs) => trs.length);
    assert(rows === para.body.projects.length, `${rows} rows`);
    await page.hover(".vaultql-projects tbody tr:first-child a.internal-link");
    const hovers = await page.evaluate(() => window.hovers.filter((h) => h.source === "vaultql"));
    assert(hovers.length > 0, "no hover from the dashboard");
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
      await page.press("input.prompt-input", "Control+Enter");
      const opened = await page.evaluate(() => window.app.workspace.opened.at(-1));
      assert(opened.linktext.startsWith(found.body.results[0].path) && opened.newLeaf === "tab", JSON.stringify(opened));
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
    await stopServer();
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
    const before = state.requests.length;
    await page.waitForTimeout(1000);
    assert(state.requests.length === before, `${state.requests.length - before} requests after unload`);
  });

  await check("no uncaught errors in the page", async () => {
    assert(state.errors.length === 0, state.errors.join("\n"));
  });

  // The plugin starts the server itself: the real `vaultql` from the venv, on its own port.
  const managedPort = await freePort();
  const managed = await openPage({ serverMode: "managed", serverCommand: VAULTQL, port: managedPort, pollSeconds: 0.3 });
  const servedHere = () => processesMentioning(`--port ${managedPort}`);

  await check("the plugin starts `vaultql serve` for the vault and shows start-up, then ready", async () => {
    await managed.waitText(".status-bar-item", "t.startsWith('VaultQL: ready')", "managed status bar", 60000);
    const spawned = await managed.page.evaluate(() => window.spawned.length);
    assert(spawned === 2, `${spawned} processes spawned (token, serve)`);
    const pids = servedHere();
    assert(pids.length === 1, `serving processes: ${pids}`);
    const cmdline = readFileSync(`/proc/${pids[0]}/cmdline`, "utf8").split("\0").filter(Boolean);
    assert(JSON.stringify(cmdline.slice(-5)) === JSON.stringify(["serve", vault, "--port", String(managedPort), "--quiet"]), JSON.stringify(cmdline));
    await managed.page.evaluate(() => window.block("m", 'LIST FROM "Projects"', "Home.md"));
    await managed.waitText("#m", "t.includes('Garden Planning')", "block through the plugin's server");
  });

  await check("kill -9 of the server: the plugin restarts it", async () => {
    const [first] = servedHere();
    process.kill(first, "SIGKILL");
    await managed.waitText(".status-bar-item", "!t.startsWith('VaultQL: ready')", "status bar after the kill", 10000);
    await managed.waitText(".status-bar-item", "t.startsWith('VaultQL: ready')", "status bar after the restart", 60000);
    const pids = servedHere();
    assert(pids.length === 1 && pids[0] !== first, `serving processes: ${pids} (was ${first})`);
  });

  await check("unloading the plugin stops its server: no orphan process", async () => {
    const pids = servedHere();
    await managed.page.evaluate(() => window.plugin.unload());
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline && pids.some(alive)) await sleep(100);
    assert(!pids.some(alive), `still running: ${pids.filter(alive)}`);
    assert(servedHere().length === 0, `processes left: ${servedHere()}`);
    assert(processesMentioning(vault).length === 0, `processes for the vault: ${processesMentioning(vault)}`);
    assert(managed.state.errors.length === 0, managed.state.errors.join("\n"));
  });
} catch (err) {
  results.push({ name: "set-up", ok: false });
  console.log(`not ok - set-up: ${err?.stack ?? err}`);
  console.log(serverLog.join("").slice(-2000));
} finally {
  await browser?.close();
  await stopServer();
  for (const child of children.values()) if (running(child)) child.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
}

const failed = results.filter((r) => !r.ok).length;
const skipped = results.filter((r) => r.skipped).length;
console.log(`\n${results.length - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
if (!existsSync(CHROMIUM)) console.log(`(no Chromium at ${CHROMIUM})`);
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
