/** When query blocks ask the server again: a new (instance, revision), errors, visibility. */
import { describe, expect, it } from "vitest";
import { flush, golden, goldenServer, loadPlugin, obsidian } from "./load";
import { intersections, track } from "./setup";

const TABLE = golden("query-table");
const SOURCE = TABLE.request.json?.query as string;

/** A server whose instance, revision and answers the test changes. */
function fakeServer() {
  const server = { instance: "first-run", revision: 1, status: "paused", error: null as null | object };
  const base = goldenServer();
  obsidian.setRequestHandler((param) => {
    const url = new URL(param.url);
    if (url.pathname === "/api/v1/status") {
      const body = { ...(golden("status").body as object), revision: server.revision, instance: server.instance };
      return { status: 200, text: JSON.stringify(body) };
    }
    if (url.pathname === "/api/v1/query") {
      if (server.error) return { status: 400, text: JSON.stringify(server.error) };
      const body = JSON.parse(JSON.stringify(TABLE.body));
      body.rows[0][1] = server.status;
      Object.assign(body, { revision: server.revision, instance: server.instance });
      return { status: 200, text: JSON.stringify(body) };
    }
    return base(param);
  });
  return server;
}

const queries = () => obsidian.http.requests.filter((r) => r.url.endsWith("/api/v1/query")).length;

async function setUp() {
  const server = fakeServer();
  const { app, plugin } = await loadPlugin();
  track(plugin);
  const section = track(obsidian.renderCodeBlock(app, "vaultql", SOURCE, "Home.md"));
  await flush();
  const poll = async () => {
    await plugin.monitor.poll();
    await flush();
  };
  const cell = () => section.el.querySelector("tbody tr td:nth-child(2)")?.textContent;
  return { app, plugin, server, section, poll, cell };
}

describe("a restarted server", () => {
  it("refreshes every block when the instance changes, even at the same revision", async () => {
    const { server, poll, cell } = await setUp();
    expect(cell()).toBe("paused");
    expect(queries()).toBe(1);
    // The server restarts and counts from revision 1 again; a note was edited in between.
    server.instance = "second-run";
    server.status = "active";
    await poll();
    expect(queries()).toBe(2);
    expect(cell()).toBe("active");
    await poll();
    expect(queries()).toBe(2); // nothing new since
  });

  it("refreshes the sidebar and the dashboard too", async () => {
    const server = fakeServer();
    const { app, plugin } = await loadPlugin();
    track(plugin);
    await app.commands.get("vaultql:open-dashboard")?.callback?.();
    await flush();
    const asked = () => obsidian.http.requests.filter((r) => r.url.includes("/dashboards/")).length;
    expect(asked()).toBe(1);
    server.instance = "second-run";
    await plugin.monitor.poll();
    await flush();
    expect(asked()).toBe(2);
  });
});

describe("a request out", () => {
  it("is not asked twice for the same data; new data while it is out is asked once after", async () => {
    const server = fakeServer();
    const base = obsidian.http.handler!;
    let release: (() => void) | null = null;
    obsidian.setRequestHandler(async (param) => {
      if (param.url.endsWith("/api/v1/query") && server.revision === 2) {
        await new Promise<void>((resolve) => (release = resolve));
      }
      return base(param);
    });
    const { app, plugin } = await loadPlugin();
    track(plugin);
    track(obsidian.renderCodeBlock(app, "vaultql", SOURCE, "Home.md"));
    await flush();
    server.revision = 2;
    for (let i = 0; i < 3; i++) await plugin.monitor.poll(); // the answer for revision 2 is slow
    await flush();
    expect(queries()).toBe(2);
    server.revision = 3; // new data while it is out
    await plugin.monitor.poll();
    release!();
    await flush();
    expect(queries()).toBe(3);
    await plugin.monitor.poll();
    await flush();
    expect(queries()).toBe(3);
  });
});

describe("a failing block", () => {
  it("asks again only when the revision or the instance changes", async () => {
    const server = fakeServer();
    server.error = golden("query-error-syntax").body as object;
    const { app, plugin } = await loadPlugin();
    track(plugin);
    const section = track(obsidian.renderCodeBlock(app, "vaultql", SOURCE, "Home.md"));
    await flush();
    expect(section.el.querySelector(".vaultql-error")).not.toBeNull();
    const before = queries();
    for (let i = 0; i < 5; i++) await plugin.monitor.poll();
    await flush();
    expect(queries()).toBe(before); // no requests between revisions
    server.revision = 2;
    await plugin.monitor.poll();
    await flush();
    expect(queries()).toBe(before + 1);
    server.error = null; // the note holding the block was fixed
    server.instance = "second-run";
    await plugin.monitor.poll();
    await flush();
    expect(queries()).toBe(before + 2);
    expect(section.el.querySelector(".vaultql-error")).toBeNull();
    expect(section.el.querySelectorAll("tbody tr")).toHaveLength(3);
  });

  it("asks again once the server is back when it was not running", async () => {
    obsidian.setRequestHandler(null);
    const { app, plugin } = await loadPlugin();
    track(plugin);
    const section = track(obsidian.renderCodeBlock(app, "vaultql", SOURCE, "Home.md"));
    await flush();
    expect(section.el.querySelector(".vaultql-error")?.getAttribute("data-code")).toBe("unreachable");
    obsidian.setRequestHandler(goldenServer());
    await plugin.monitor.poll();
    await flush();
    expect(section.el.querySelectorAll("tbody tr")).toHaveLength(3);
  });
});

describe("blocks that are not shown", () => {
  it("are not refreshed while hidden, and once when shown again", async () => {
    const { app, server, poll, section, cell } = await setUp();
    track(obsidian.renderCodeBlock(app, "vaultql", SOURCE, "Projects/Learn Rust.md"));
    await flush();
    expect(queries()).toBe(2);
    section.el.setAttribute("hidden", ""); // e.g. its note's tab went to the background
    intersections.update();
    server.revision = 2;
    server.status = "active";
    await poll();
    expect(queries()).toBe(3); // the shown block only
    expect(cell()).toBe("paused");
    server.revision = 3;
    await poll();
    expect(queries()).toBe(4);
    section.el.removeAttribute("hidden");
    intersections.update();
    await flush();
    expect(queries()).toBe(5); // once, for everything it missed
    expect(cell()).toBe("active");
    intersections.update();
    await poll();
    expect(queries()).toBe(5);
  });

  it("ask for nothing until they are first shown", async () => {
    fakeServer();
    const { app, plugin } = await loadPlugin();
    track(plugin);
    const section = track(obsidian.renderCodeBlock(app, "vaultql", SOURCE, "Home.md"));
    section.el.setAttribute("hidden", "");
    await flush();
    expect(queries()).toBe(0);
    section.el.removeAttribute("hidden");
    intersections.update();
    await flush();
    expect(queries()).toBe(1);
    expect(section.el.querySelectorAll("tbody tr")).toHaveLength(3);
  });

  it("without IntersectionObserver, refresh while they are in the document", async () => {
    intersections.remove();
    const { server, poll, section, cell } = await setUp();
    expect(cell()).toBe("paused");
    const parent = section.el.parentElement!;
    section.el.remove(); // out of the document: left alone
    server.revision = 2;
    server.status = "active";
    await poll();
    expect(queries()).toBe(1);
    parent.appendChild(section.el); // back: brought up to date at the next poll
    await poll();
    expect(queries()).toBe(2);
    expect(cell()).toBe("active");
  });
});
