/** TASK results: nesting without duplicates, group counts, and ticking tasks in their note. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { flush, golden, goldenServer, loadPlugin, obsidian, PLUGIN_DIR, type Golden } from "./load";
import { track } from "./setup";

const NOTE = "Projects/Website Redesign.md";
const NOTE_TEXT = readFileSync(join(PLUGIN_DIR, "..", "fixtures", "demo-vault", NOTE), "utf8");

type Task = { type: string; line: number; text: string; children: Task[]; [key: string]: unknown };

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Renders `fixture` (with `body` replacing its answer) as a block in Home.md. */
async function renderTasks(name: string, body?: unknown, settings?: Record<string, unknown>) {
  const fixture = golden(name);
  const answer: Golden = { ...fixture, body: body ?? fixture.body };
  const status = golden("status");
  const statusBody = clone(status.body) as Record<string, unknown>;
  if (settings) statusBody.dataview_settings = { ...(statusBody.dataview_settings as object), ...settings };
  obsidian.setRequestHandler(goldenServer({ [name]: answer, status: { ...status, body: statusBody } }));
  const { app, plugin } = await loadPlugin();
  track(plugin);
  app.vault.contents.set(NOTE, NOTE_TEXT);
  const origin = fixture.request.json?.origin as string;
  const section = track(obsidian.renderCodeBlock(app, "vaultql", fixture.request.json?.query as string, origin));
  await flush();
  return { app, plugin, el: section.el };
}

const lines = (el: Element) =>
  Array.from(el.querySelectorAll("li.task-list-item")).map((li) => Number(li.getAttribute("data-source-line")));

describe("nested tasks", () => {
  it("show a child only under its parent when the parent is in the result", async () => {
    // An older server also lists the children at the top level: each must still show once.
    const body = clone(golden("query-task").body) as { tasks: Task[] };
    const parent = body.tasks.find((t) => t.line === 18)!;
    body.tasks.splice(2, 0, ...clone(parent.children));
    const { el } = await renderTasks("query-task", body);
    expect(lines(el)).toEqual([17, 18, 19, 20, 21, 22]);
    const top = Array.from(el.querySelectorAll("ul.vaultql-tasks > li")).map((li) => li.getAttribute("data-source-line"));
    expect(top).toEqual(["17", "18", "21", "22"]);
  });

  it("show a child whose parent is not in the result as its own root", async () => {
    const body = clone(golden("query-task").body) as { tasks: Task[] };
    const parent = body.tasks.find((t) => t.line === 18)!;
    body.tasks = [parent.children[0]!];
    const { el } = await renderTasks("query-task", body);
    const top = Array.from(el.querySelectorAll("ul.vaultql-tasks > li")).map((li) => li.getAttribute("data-source-line"));
    expect(top).toEqual(["19"]);
  });

  it("inside GROUP BY: a heading with the group's count, each task once", async () => {
    const fixture = golden("query-task-grouped");
    const body = clone(fixture.body) as { tasks: { rows: Task[]; count: number }[] };
    const group = body.tasks[2]!;
    const parent = group.rows.find((t) => t.line === 18)!;
    group.rows.push(clone(parent.children[1]!)); // the old duplicate
    const { el } = await renderTasks("query-task-grouped", body);
    const headings = Array.from(el.querySelectorAll(".vaultql-group > h4")).map((h) => h.textContent);
    expect(headings).toEqual(["Garden Planning 2", "Learn Rust 1", "Website Redesign 5"]);
    const last = el.querySelectorAll(".vaultql-group")[2]!;
    expect(lines(last)).toEqual([18, 19, 20, 21, 22]);
    expect(last.querySelector("h4 a.internal-link")?.getAttribute("data-href")).toBe(NOTE);
  });

  it("without group counts when showResultCount is off", async () => {
    const { el } = await renderTasks("query-task-grouped", undefined, { showResultCount: false });
    const headings = Array.from(el.querySelectorAll(".vaultql-group > h4")).map((h) => h.textContent);
    expect(headings).toEqual(["Garden Planning", "Learn Rust", "Website Redesign"]);
  });
});

describe("ticking a task", () => {
  afterEach(() => vi.useRealTimers());

  function box(el: HTMLElement, line: number): HTMLInputElement {
    return el.querySelector(`li[data-source-line="${line}"] > input.task-list-item-checkbox`) as HTMLInputElement;
  }

  async function click(el: HTMLElement, line: number) {
    const input = box(el, line);
    input.checked = !input.checked;
    input.dispatchEvent(new Event("change"));
    await flush();
    return input;
  }

  /** The note's lines after the edit, and that nothing else changed. */
  function changed(app: obsidian.App): Record<number, string> {
    const before = NOTE_TEXT.split("\n");
    const after = (app.vault.contents.get(NOTE) ?? "").split("\n");
    expect(after).toHaveLength(before.length);
    const out: Record<number, string> = {};
    after.forEach((line, i) => {
      if (line !== before[i]) out[i] = line;
    });
    return out;
  }

  it("writes [x] on its line through app.vault.process and nothing else", async () => {
    const { app, el } = await renderTasks("query-task");
    const input = await click(el, 18);
    expect(changed(app)).toEqual({ 18: "- [x] Draft wireframes 📅 2024-03-20 ⏳ 2024-03-18 #design" });
    expect(app.vault.processed).toEqual([{ path: NOTE, changed: true }]);
    expect(input.checked).toBe(true);
    expect(el.querySelector('li[data-source-line="18"]')?.classList.contains("is-checked")).toBe(true);
    // Only the task itself: its subtasks stay as they were (recursiveSubTaskCompletion is off).
    expect(changed(app)[19]).toBeUndefined();
  });

  it("unticks a checked task, whatever its status character, and keeps the block id last", async () => {
    const { app, el } = await renderTasks("query-task");
    await click(el, 17);
    await click(el, 21);
    expect(changed(app)).toEqual({
      17: "- [ ] Collect requirements ✅ 2024-02-10",
      21: "- [ ] Pick a static site generator [due:: 2024-03-25] (effort:: 3)",
    });
  });

  it("keeps Windows line endings and indentation", async () => {
    const { app, el } = await renderTasks("query-task");
    app.vault.contents.set(NOTE, NOTE_TEXT.replace(/\n/g, "\r\n"));
    await click(el, 19);
    const after = app.vault.contents.get(NOTE)!;
    expect(after).toBe(NOTE_TEXT.replace(/\n/g, "\r\n").replace("    - [ ] Home page\r\n", "    - [x] Home page\r\n"));
  });

  it("writes nothing when the line changed underneath, says so and refreshes", async () => {
    const { app, el } = await renderTasks("query-task");
    const edited = NOTE_TEXT.replace("- [ ] Draft wireframes", "- [ ] Draft the wireframes");
    app.vault.contents.set(NOTE, edited);
    const queries = obsidian.http.requests.filter((r) => r.url.endsWith("/query")).length;
    const input = await click(el, 18);
    expect(app.vault.contents.get(NOTE)).toBe(edited); // the same bytes
    expect(app.vault.processed).toEqual([{ path: NOTE, changed: false }]);
    expect(input.checked).toBe(false);
    expect(obsidian.Notice.messages.at(-1)).toContain("The task changed in Website Redesign");
    expect(obsidian.http.requests.filter((r) => r.url.endsWith("/query")).length).toBe(queries + 1);
  });

  it("writes nothing when the line is gone (the note got shorter)", async () => {
    const { app, el } = await renderTasks("query-task");
    app.vault.contents.set(NOTE, NOTE_TEXT.split("\n").slice(0, 10).join("\n"));
    await click(el, 22);
    expect(app.vault.contents.get(NOTE)).toBe(NOTE_TEXT.split("\n").slice(0, 10).join("\n"));
    expect(obsidian.Notice.messages.at(-1)).toContain("changed");
  });

  it("adds ✅ and today's date with Dataview's emoji shorthand, before the block id", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2024-03-21T09:30:00Z"));
    const settings = { taskCompletionTracking: true, taskCompletionUseEmojiShorthand: true };
    const { app, el } = await renderTasks("query-task", undefined, settings);
    await click(el, 22);
    await click(el, 17); // unticking removes the date
    expect(changed(app)).toEqual({
      17: "- [ ] Collect requirements",
      22: "- [x] Migrate old posts from [[Old Blog]] 🛫 2024-04-01 ➕ 2024-03-01 ✅ 2024-03-21 ^migrate",
    });
  });

  it("adds [completion:: date] with the configured key and format, and removes it again", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2024-03-21T09:30:00Z"));
    const settings = { taskCompletionTracking: true, taskCompletionText: "done", taskCompletionDateFormat: "dd.MM.yyyy" };
    const { app, el } = await renderTasks("query-task", undefined, settings);
    await click(el, 20);
    expect(changed(app)).toEqual({ 20: "    - [x] Blog index [estimate:: 2h] [done:: 21.03.2024]" });
  });

  it("removes the completion field when unticking", async () => {
    const body = clone(golden("query-task").body) as { tasks: Task[] };
    const done = body.tasks.find((t) => t.line === 18)!.children[1]!;
    Object.assign(done, { text: "Blog index [estimate:: 2h] [done:: 20.03.2024]", status: "x", checked: true });
    const settings = { taskCompletionTracking: true, taskCompletionText: "done" };
    const { app, el } = await renderTasks("query-task", body, settings);
    const withField = NOTE_TEXT.replace("    - [ ] Blog index [estimate:: 2h]", "    - [x] Blog index [estimate:: 2h] [done:: 20.03.2024]");
    app.vault.contents.set(NOTE, withField);
    await click(el, 20);
    expect(app.vault.contents.get(NOTE)).toBe(NOTE_TEXT);
  });

  it("ticks the subtasks too with recursiveSubTaskCompletion", async () => {
    const { app, el } = await renderTasks("query-task", undefined, { recursiveSubTaskCompletion: true });
    await click(el, 18);
    expect(changed(app)).toEqual({
      18: "- [x] Draft wireframes 📅 2024-03-20 ⏳ 2024-03-18 #design",
      19: "    - [x] Home page",
      20: "    - [x] Blog index [estimate:: 2h]",
    });
    expect(app.vault.processed).toHaveLength(1); // one atomic edit
  });
});
