import { describe, expect, it } from "vitest";
import { flush, golden, goldenServer, loadPlugin, obsidian } from "./load";
import { track } from "./setup";

const TABLE = golden("query-table");
const QUERY = (g: ReturnType<typeof golden>) => g.request.json?.query as string;

async function block(name: string, lang = "vaultql", data: Record<string, unknown> = {}) {
  const fixture = golden(name);
  const { app, plugin } = await loadPlugin(data);
  track(plugin);
  const origin = (fixture.request.json?.origin as string) ?? "Home.md";
  const section = track(obsidian.renderCodeBlock(app, lang, QUERY(fixture), origin));
  await flush();
  return { app, plugin, el: section.el, section };
}

const texts = (els: NodeListOf<Element> | Element[]) => Array.from(els).map((e) => e.textContent);

describe("```vaultql blocks", () => {
  it("send the block text with the note's path as origin", async () => {
    await block("query-this");
    const sent = obsidian.http.requests.find((r) => r.url.endsWith("/api/v1/query"));
    expect(JSON.parse(sent?.body ?? "{}")).toEqual({
      query: "LIST FROM [[]] SORT file.name",
      origin: "Projects/Website Redesign.md",
    });
  });

  it("render a TABLE with headers, internal links, dates and lists", async () => {
    const { el, app } = await block("query-table");
    expect(texts(el.querySelectorAll("thead th"))).toEqual(["File (3)", "status", "due", "tags"]);
    const rows = el.querySelectorAll("tbody tr");
    expect(rows).toHaveLength(3);
    const link = rows[0]?.querySelector("a.internal-link");
    expect(link?.textContent).toBe("Garden Planning");
    expect(link?.getAttribute("data-href")).toBe("Projects/Garden Planning.md");
    expect(rows[0]?.querySelector(".vaultql-null")?.textContent).toBe("-");
    expect(texts(rows[0]!.querySelectorAll("td:nth-child(4) li"))).toEqual([
      "#project",
      "#home/garden",
      "#home",
    ]);
    const due = rows[2]?.querySelector("time.vaultql-date");
    expect(due?.textContent).toBe("April 30, 2024");
    expect(due?.getAttribute("datetime")).toBe("2024-04-30T00:00:00.000+00:00");
    (link as HTMLElement).click();
    expect(app.workspace.opened).toContainEqual({
      linktext: "Projects/Garden Planning.md",
      sourcePath: "Home.md",
    });
  });

  it("render every typed cell: heading links, durations, objects, external links, scalars", async () => {
    const { el } = await block("query-cells");
    const cells = Array.from(el.querySelectorAll("tbody tr td"));
    const [note, heading, when, spent, list, obj, web, nothing, yes, n] = cells;
    expect(note?.textContent).toBe("Website Redesign");
    const headingLink = heading?.querySelector("a.internal-link");
    expect(headingLink?.textContent).toBe("Home > Queries");
    expect(headingLink?.getAttribute("data-href")).toBe("Home.md#Queries");
    expect(when?.textContent).toBe("10:30 AM - March 17, 2024");
    expect(spent?.textContent).toBe("2 hours, 5 minutes");
    expect(texts(list!.querySelectorAll("li"))).toEqual(["1", "two"]);
    expect(obj?.textContent).toBe("a: 1");
    const a = web?.querySelector("a.external-link");
    expect([a?.textContent, a?.getAttribute("href")]).toEqual(["site", "https://example.org"]);
    expect([nothing?.textContent, yes?.textContent, n?.textContent]).toEqual(["-", "true", "2.5"]);
  });

  it("render LIST results with their values", async () => {
    const { el } = await block("query-list");
    expect(texts(el.querySelectorAll("ul.vaultql-list-view > li"))).toEqual([
      "Garden Planning: paused",
      "Learn Rust: done",
      "Website Redesign: active",
    ]);
  });

  it("render TASK results as task lists with checkboxes and children", async () => {
    const { el, app } = await block("query-task");
    const top = el.querySelectorAll("ul.vaultql-tasks > li.task-list-item");
    const fixtureTasks = (golden("query-task").body as { tasks: { checked: boolean }[] }).tasks;
    expect(top).toHaveLength(fixtureTasks.length);
    const boxes = Array.from(el.querySelectorAll("ul.vaultql-tasks > li > input")) as HTMLInputElement[];
    expect(boxes.map((b) => b.checked)).toEqual(fixtureTasks.map((t) => t.checked));
    expect(boxes.every((b) => !b.disabled)).toBe(true); // ticking: tasks.test.ts
    const wireframes = top[1] as HTMLElement;
    expect(wireframes.querySelector(".vaultql-task-text")?.textContent).toBe(
      "Draft wireframes 📅 2024-03-20 ⏳ 2024-03-18 #design",
    );
    expect(texts(wireframes.querySelectorAll(":scope > ul > li > .vaultql-task-text"))).toEqual([
      "Home page",
      "Blog index [estimate:: 2h]",
    ]);
    (wireframes.querySelector(".vaultql-task-source") as HTMLElement).click();
    expect(app.workspace.opened.at(-1)).toEqual({
      path: "Projects/Website Redesign.md",
      eState: { line: 18 },
    });
  });

  it("show syntax errors with line, column and the caret", async () => {
    const { el } = await block("query-error-syntax");
    const error = el.querySelector(".vaultql-error");
    expect(error?.getAttribute("data-code")).toBe("syntax");
    expect(error?.querySelector(".vaultql-error-message")?.textContent).toBe(
      "expected a field or expression after SORT",
    );
    expect(error?.querySelector(".vaultql-error-position")?.textContent).toBe("line 2, column 1");
    expect(error?.querySelector("pre")?.textContent).toBe("SORT\n^");
  });

  it("show semantic errors from a 422 body", async () => {
    const { el } = await block("query-error-semantic");
    expect(el.querySelector(".vaultql-error-position")?.textContent).toBe("line 1, column 7");
    expect(el.querySelector("pre")?.textContent).toBe("TABLE nosuchfunction(status)\n      ^");
  });

  it("say the server is not running when it cannot be reached", async () => {
    obsidian.setRequestHandler(null);
    const { el } = await block("query-table");
    expect(el.querySelector(".vaultql-error-title")?.textContent).toContain("server not running");
    expect(el.querySelector(".vaultql-error")?.getAttribute("data-code")).toBe("unreachable");
  });

  it("re-run when the revision changes, not otherwise, and stop once unloaded", async () => {
    let revision = 1;
    let status = "paused";
    const base = goldenServer();
    obsidian.setRequestHandler((param) => {
      const url = new URL(param.url);
      if (url.pathname === "/api/v1/status") {
        const body = { ...(golden("status").body as object), revision };
        return { status: 200, text: JSON.stringify(body) };
      }
      if (url.pathname === "/api/v1/query") {
        const body = JSON.parse(JSON.stringify(TABLE.body));
        body.rows[0][1] = status;
        body.revision = revision;
        return { status: 200, text: JSON.stringify(body) };
      }
      return base(param);
    });
    const { plugin, el, section } = await block("query-table");
    const queries = () => obsidian.http.requests.filter((r) => r.url.endsWith("/query")).length;
    const cell = () => el.querySelector("tbody tr td:nth-child(2)")?.textContent;
    expect(cell()).toBe("paused");
    expect(queries()).toBe(1);
    await plugin.monitor.poll();
    await flush();
    expect(queries()).toBe(1); // same revision: nothing to do
    revision = 2;
    status = "active";
    await plugin.monitor.poll();
    await flush();
    expect(queries()).toBe(2);
    expect(cell()).toBe("active");
    expect(el.getAttribute("data-revision")).toBe("2");
    section.unload();
    revision = 3;
    await plugin.monitor.poll();
    await flush();
    expect(queries()).toBe(2);
  });
});
