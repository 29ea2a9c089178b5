/** Rendering results as Dataview does: calendars, embeds, links, typed cells and the vault's settings. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { flush, golden, goldenServer, loadPlugin, obsidian, VAULT_PATHS } from "./load";
import { track } from "./setup";

const link = (path: string, extra: Record<string, unknown> = {}) => ({
  type: "link",
  path,
  display: null,
  subpath: null,
  link_type: "file",
  embed: false,
  ...extra,
});
const date = (iso: string, text = "") => ({ type: "date", iso, zone: "local", text });

/** A block in Home.md whose query the server answers with `body`, with these Dataview settings. */
async function render(body: Record<string, unknown>, settings: Record<string, unknown> = {}, paths = VAULT_PATHS) {
  const answers = { body, settings };
  const base = goldenServer();
  obsidian.setRequestHandler((param) => {
    const url = new URL(param.url);
    if (url.pathname === "/api/v1/query") {
      return { status: 200, text: JSON.stringify({ count: 0, took_ms: 1, revision: 1, headers: [], ...answers.body }) };
    }
    if (url.pathname === "/api/v1/status") {
      const status = golden("status").body as Record<string, unknown>;
      const dataview = { ...(status.dataview_settings as object), ...answers.settings };
      return { status: 200, text: JSON.stringify({ ...status, dataview_settings: dataview }) };
    }
    return base(param);
  });
  const app = new obsidian.App([...paths, "Attachments/garden-plan.png"], "/home/me/My Vault");
  const { plugin } = await loadPlugin({}, app);
  track(plugin);
  const section = track(obsidian.renderCodeBlock(app, "vaultql", "TABLE x", "Home.md"));
  await flush();
  const rerender = async (next: { body?: Record<string, unknown>; settings?: Record<string, unknown> }) => {
    Object.assign(answers, next);
    await plugin.monitor.poll();
    await flush();
  };
  return { app, plugin, el: section.el, rerender };
}

const table = (row: unknown[], headers = row.map((_, i) => `c${i}`)) => ({
  type: "table",
  headers,
  rows: [row],
  count: 1,
});

describe("CALENDAR", () => {
  afterEach(() => vi.useRealTimers());

  const entries = [
    { date: date("2024-03-05T00:00:00.000+00:00"), link: link("Daily/2024-03-15.md") },
    { date: date("2024-03-20T00:00:00.000+00:00"), link: link("Projects/Website Redesign.md") },
    { date: date("2024-03-20T18:00:00.000+00:00"), link: link("Projects/Learn Rust.md") },
    { date: null, link: link("Projects/Garden Planning.md") },
    { date: date("2024-04-30T00:00:00.000+00:00"), link: link("Home.md") },
  ];

  it("shows the current month with a dot per result on its day, linking to the notes", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2024-03-12T12:00:00Z"));
    const { app, el } = await render({ type: "calendar", headers: ["date", "link"], entries, count: 5 });
    expect(el.querySelector(".vaultql-calendar-title")?.textContent).toBe("March 2024");
    const heads = Array.from(el.querySelectorAll(".vaultql-calendar-grid th")).map((th) => th.textContent);
    expect(heads).toEqual(["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]);
    const days = Array.from(el.querySelectorAll("td.vaultql-calendar-day:not(.is-adjacent-month)"));
    expect(days).toHaveLength(31);
    expect(el.querySelector("td.vaultql-calendar-day")?.getAttribute("data-date")).toBe("2024-02-25");
    expect(el.querySelector("td.is-today")?.getAttribute("data-date")).toBe("2024-03-12");
    const dots = (day: string) =>
      Array.from(el.querySelectorAll(`td[data-date="${day}"] a.vaultql-calendar-dot`)).map((a) => a.getAttribute("data-href"));
    expect(dots("2024-03-05")).toEqual(["Daily/2024-03-15.md"]);
    expect(dots("2024-03-20")).toEqual(["Projects/Website Redesign.md", "Projects/Learn Rust.md"]);
    expect(el.querySelectorAll("a.vaultql-calendar-dot")).toHaveLength(3); // April's and the dateless are elsewhere
    (el.querySelector('td[data-date="2024-03-20"] a.vaultql-calendar-dot:last-child') as HTMLElement).click();
    expect(app.workspace.opened.at(-1)).toEqual({ linktext: "Projects/Learn Rust.md", sourcePath: "Home.md" });
    // The day's number opens its first note, as in Dataview.
    (el.querySelector('td[data-date="2024-03-20"] .vaultql-calendar-number') as HTMLElement).click();
    expect(app.workspace.opened.at(-1)).toEqual({ linktext: "Projects/Website Redesign.md", sourcePath: "Home.md" });
  });

  it("moves between months, back to today, and stays on its month when refreshed", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2024-03-12T12:00:00Z"));
    const { el, rerender } = await render({ type: "calendar", headers: ["date", "link"], entries, count: 5 });
    const title = () => el.querySelector(".vaultql-calendar-title")?.textContent;
    (el.querySelector("button.vaultql-calendar-next") as HTMLElement).click();
    expect(title()).toBe("April 2024");
    expect(Array.from(el.querySelectorAll("a.vaultql-calendar-dot")).map((a) => a.getAttribute("data-href"))).toEqual([
      "Home.md",
    ]);
    await rerender({ body: { type: "calendar", headers: ["date", "link"], entries, count: 5, revision: 2 } });
    expect(title()).toBe("April 2024");
    (el.querySelector("button.vaultql-calendar-prev") as HTMLElement).click();
    (el.querySelector("button.vaultql-calendar-prev") as HTMLElement).click();
    expect(title()).toBe("February 2024");
    (el.querySelector("button.vaultql-calendar-today") as HTMLElement).click();
    expect(title()).toBe("March 2024");
  });
});

describe("links in results", () => {
  it("are internal links: hover previews them, Ctrl/Cmd-click and middle click open a new tab", async () => {
    const { app, el } = await render(table([link("Projects/Learn Rust.md")]));
    const anchor = el.querySelector("td a.internal-link") as HTMLElement;
    expect(anchor.getAttribute("data-href")).toBe("Projects/Learn Rust.md");
    const hovers: Record<string, unknown>[] = [];
    app.workspace.on("hover-link", (info: Record<string, unknown>) => hovers.push(info));
    anchor.dispatchEvent(new MouseEvent("mouseover", { bubbles: true, cancelable: true }));
    expect(hovers).toHaveLength(1);
    expect(hovers[0]).toMatchObject({
      source: "vaultql-results",
      targetEl: anchor,
      linktext: "Projects/Learn Rust.md",
      sourcePath: "Home.md",
    });
    expect((hovers[0]!.hoverParent as { hoverPopover: unknown }).hoverPopover).toBeNull();
    anchor.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true, ctrlKey: true }));
    expect(app.workspace.opened.at(-1)).toEqual({ linktext: "Projects/Learn Rust.md", sourcePath: "Home.md", newLeaf: "tab" });
    anchor.dispatchEvent(new MouseEvent("auxclick", { bubbles: true, cancelable: true, button: 1 }));
    expect(app.workspace.opened.at(-1)?.newLeaf).toBe("tab");
    anchor.dispatchEvent(new MouseEvent("click", { bubbles: true, cancelable: true }));
    expect(app.workspace.opened.at(-1)).toEqual({ linktext: "Projects/Learn Rust.md", sourcePath: "Home.md" });
  });

  it("a click is handled once: the reading view's own handler never sees it", async () => {
    const { el } = await render(table([link("Home.md")]));
    let bubbled = 0;
    el.addEventListener("click", () => bubbled++);
    (el.querySelector("a.internal-link") as HTMLElement).click();
    expect(bubbled).toBe(0);
  });

  it("elink(): http, https, mailto and obsidian open; javascript: and others are plain text", async () => {
    const elink = (url: string) => ({ type: "external-link", url, display: `go ${url.split(":")[0]}` });
    const urls = ["https://example.org", "http://example.org", "mailto:a@b.c", "obsidian://open?vault=v", "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "file:///etc/passwd", "not a url"];
    const { el } = await render(table(urls.map(elink)));
    const cells = Array.from(el.querySelectorAll("tbody td"));
    const anchors = cells.map((td) => td.querySelector("a")?.getAttribute("href") ?? null);
    expect(anchors).toEqual([...urls.slice(0, 4), null, null, null, null, null]);
    expect(cells[4]?.textContent).toBe("go javascript");
    expect(cells[4]?.querySelector(".vaultql-unsafe-link")?.getAttribute("title")).toBe("javascript:alert(1)");
    expect(el.querySelectorAll("a[href^='javascript'], a[href^='JavaScript']")).toHaveLength(0);
  });
});

describe("embeds", () => {
  it("embed(link) of an image shows the image, at the size in its display text", async () => {
    const image = link("Attachments/garden-plan.png", { embed: true });
    const sized = link("garden-plan.png", { embed: true, display: "120x80" });
    const { el } = await render(table([image, sized]));
    const [first, second] = Array.from(el.querySelectorAll("img.vaultql-embed-image"));
    expect(first?.getAttribute("src")).toBe("app://local/Attachments/garden-plan.png");
    expect([second?.getAttribute("width"), second?.getAttribute("height")]).toEqual(["120", "80"]);
  });

  it("an embedded note goes to Obsidian's renderer as ![[…]], and so do strings with ![[image]]", async () => {
    const note = link("Projects/Learn Rust.md", { embed: true, subpath: "Notes", link_type: "header" });
    const { el } = await render(table([note, "![[garden-plan.png]] and text"]));
    expect(el.querySelector(".vaultql-embed")?.getAttribute("data-href")).toBe("Projects/Learn Rust.md#Notes");
    const rendered = obsidian.MarkdownRenderer.calls.map((c) => c.markdown);
    expect(rendered).toContain("![[Projects/Learn Rust.md#Notes]]");
    expect(rendered).toContain("![[garden-plan.png]] and text");
  });
});

describe("typed cells", () => {
  it("show function values as <function>", async () => {
    const { el } = await render(table([{ type: "function" }]));
    expect(el.querySelector("td")?.textContent).toBe("<function>");
  });

  it("stop at maxRecursiveRenderDepth with ...", async () => {
    const deep = [1, [2, [3, [4, [5, [6]]]]]];
    const { el, rerender } = await render(table([deep]));
    // As Dataview: a value deeper than the setting shows "..." (here 5 and [6], at depth 5).
    expect(el.querySelector("td")?.textContent).toBe("1234......");
    await rerender({ settings: { maxRecursiveRenderDepth: 2 } });
    expect(el.querySelector("td")?.textContent).toBe("12......");
  });
});

describe("the vault's Dataview settings", () => {
  const row = [link("Projects/Learn Rust.md"), date("2024-04-30T00:00:00.000+00:00", "April 30, 2024"), date("2024-03-17T10:30:00.000+00:00"), null];
  const body = { ...table(row, ["File", "due", "when", "nothing"]), count: 1 };

  it("date formats, the null text, the ID column's name and the count, re-rendered when they change", async () => {
    const { el, rerender } = await render(body);
    const cells = () => Array.from(el.querySelectorAll("tbody td")).map((td) => td.textContent);
    const heads = () => Array.from(el.querySelectorAll("thead th")).map((th) => th.textContent);
    expect(cells()).toEqual(["Learn Rust", "April 30, 2024", "10:30 AM - March 17, 2024", "-"]);
    expect(heads()).toEqual(["File (1)", "due", "when", "nothing"]);
    const queries = obsidian.http.requests.filter((r) => r.url.endsWith("/query")).length;
    await rerender({
      settings: {
        defaultDateFormat: "yyyy-MM-dd",
        defaultDateTimeFormat: "dd.MM.yyyy HH:mm",
        renderNullAs: "*none*",
        tableIdColumnName: "Note",
        showResultCount: false,
      },
    });
    expect(obsidian.http.requests.filter((r) => r.url.endsWith("/query")).length).toBe(queries + 1);
    expect(cells()).toEqual(["Learn Rust", "2024-04-30", "17.03.2024 10:30", "*none*"]);
    expect(obsidian.MarkdownRenderer.calls.map((c) => c.markdown)).toContain("*none*");
    expect(heads()).toEqual(["Note", "due", "when", "nothing"]);
  });

  it("the empty-result message, or an empty table when warnOnEmptyResult is off", async () => {
    const empty = { type: "table", headers: ["File", "due"], rows: [], count: 0 };
    const { el, rerender } = await render(empty);
    expect(el.querySelector(".vaultql-empty")?.textContent).toBe("No results to show for table query.");
    expect(el.querySelector("table")).toBeNull();
    await rerender({ settings: { warnOnEmptyResult: false } });
    expect(el.querySelector(".vaultql-empty")).toBeNull();
    expect(el.querySelector("thead th")?.textContent).toBe("File (0)");
  });

  it("fall back to Dataview's defaults for missing or mistyped values", async () => {
    const { el } = await render(body, { defaultDateFormat: 42, renderNullAs: null, tableIdColumnName: "" });
    expect(Array.from(el.querySelectorAll("tbody td")).map((td) => td.textContent)[1]).toBe("April 30, 2024");
    expect(el.querySelector("thead th")?.textContent).toBe(" (1)"); // an empty name is Dataview's choice too
  });
});
