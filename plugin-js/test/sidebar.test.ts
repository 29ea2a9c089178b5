import { describe, expect, it, vi } from "vitest";
import { flush, golden, goldenServer, loadPlugin, obsidian } from "./load";
import { track } from "./setup";

const NOTE = "Projects/Website Redesign.md";
// The note as the server read it (the mention spans point into this text).
const LINE_19 = "    - [ ] Home page";

function noteText(line19 = LINE_19): string {
  const lines = Array.from({ length: 25 }, (_, i) => `line ${i}`);
  lines[19] = line19;
  return lines.join("\n");
}

async function openSidebar() {
  const { app, plugin } = await loadPlugin();
  track(plugin);
  await app.commands.get("vaultql:open-related")?.callback?.();
  const view = app.workspace.getLeavesOfType("vaultql-related")[0]!.view as obsidian.ItemView;
  app.workspace.setActiveFile(app.vault.getAbstractFileByPath(NOTE) as obsidian.TFile);
  await flush();
  return { app, plugin, el: view.contentEl };
}

describe("the related-notes sidebar", () => {
  it("follows the active note and asks for its related notes, suggestions and mentions", async () => {
    const { el } = await openSidebar();
    expect(el.getAttribute("data-path")).toBe(NOTE);
    const asked = obsidian.http.requests.map((r) => new URL(r.url)).filter((u) => u.searchParams.get("path") === NOTE);
    expect(asked.map((u) => u.pathname).sort()).toEqual([
      "/api/v1/mentions",
      "/api/v1/related",
      "/api/v1/suggest-links",
    ]);
  });

  it("lists related notes with their reasons and best passage; clicking opens at the heading", async () => {
    const { app, el } = await openSidebar();
    const items = el.querySelectorAll(".vaultql-related-item");
    expect(Array.from(items).map((i) => i.querySelector(".vaultql-note-link")?.textContent)).toEqual([
      "Learn Rust",
      "2024-03-15",
      "Garden Planning",
      "Learning MOC",
    ]);
    const reasons = Array.from(items[0]!.querySelectorAll(".vaultql-reasons li")).map((li) => li.textContent);
    expect(reasons).toEqual(["cited together in: Home", "shared terms: notes", "shared tags: #project"]);
    const passage = items[0]!.querySelector(".vaultql-passage") as HTMLElement;
    expect(passage.querySelector(".vaultql-passage-heading")?.textContent).toBe("Learn Rust");
    expect(passage.querySelector("mark")?.textContent).toBe("Notes");
    passage.click();
    expect(app.workspace.opened.at(-1)).toEqual({ linktext: "Projects/Learn Rust.md#Learn Rust", sourcePath: NOTE });
  });

  it("says when the note is not embedded yet, and not when it is", async () => {
    const related = golden("related");
    const body = related.body as Record<string, unknown>;
    const answer = (extra: Record<string, unknown>) =>
      obsidian.setRequestHandler(goldenServer({ related: { ...related, body: { ...body, ...extra } } }));
    answer({ note_embedded: true, embedded: { done: 20, total: 20, complete: true } });
    const { el } = await openSidebar();
    expect(el.querySelector(".vaultql-partial")).toBeNull();
    answer({ note_embedded: false, embedded: { done: 3, total: 20, complete: false } });
    const { el: second } = await openSidebar();
    expect(second.querySelector(".vaultql-partial")?.textContent).toBe(
      "Still embedding (3 of 20 notes): related by links, tags and shared terms for now.",
    );
    expect(second.querySelectorAll(".vaultql-related-item")).toHaveLength(4); // still answered
  });

  it("inserts [[Target|text]] at the exact span only when 'link' is clicked", async () => {
    const { app, el } = await openSidebar();
    const view = app.workspace.openMarkdown(NOTE, noteText());
    const mention = el.querySelector(".vaultql-mention-here") as HTMLElement;
    expect(mention.querySelector(".vaultql-mention-target")?.textContent).toBe("Home");
    expect(view.editor.getLine(19)).toBe(LINE_19); // nothing happens before the click
    (mention.querySelector("button.vaultql-link-button") as HTMLButtonElement).click();
    expect(view.editor.getLine(19)).toBe("    - [ ] [[Home|Home]] page");
    expect(view.editor.getLine(18)).toBe("line 18");
    expect(obsidian.Notice.messages.at(-1)).toBe('Linked "Home" to Home');
  });

  it("the suggestion's link button uses the same span", async () => {
    const { app, el } = await openSidebar();
    const suggestions = el.querySelectorAll(".vaultql-suggestion");
    expect(Array.from(suggestions).map((s) => s.querySelector(".vaultql-note-link")?.textContent)).toEqual([
      "Home",
      "Learn Rust",
      "2024-03-15",
      "Garden Planning",
      "Learning MOC",
    ]);
    expect(suggestions[0]!.querySelector(".vaultql-reason-line")?.textContent).toBe("mentioned here 1×");
    expect(suggestions[1]!.querySelector("button")).toBeNull(); // no span to link: open only
    const view = app.workspace.openMarkdown(NOTE, noteText());
    (suggestions[0]!.querySelector("button") as HTMLButtonElement).click();
    expect(view.editor.getLine(19)).toBe("    - [ ] [[Home|Home]] page");
  });

  it("refuses to link when the text moved since the server read the note", async () => {
    const { app, el } = await openSidebar();
    const view = app.workspace.openMarkdown(NOTE, noteText("    - [ ] The Home page"));
    (el.querySelector(".vaultql-mention-here button") as HTMLButtonElement).click();
    expect(view.editor.getLine(19)).toBe("    - [ ] The Home page");
    expect(obsidian.Notice.messages.at(-1)).toContain("changed");
  });

  it("converts the server's code-point columns to editor columns (emoji before the span)", async () => {
    const mentions = golden("mentions");
    const body = JSON.parse(JSON.stringify(mentions.body));
    // "📅 Home": the server counts 📅 as one character, the editor as two UTF-16 units.
    Object.assign(body.mentions_in_note[1], { column: 8, context: "- [ ] 📅 Home" });
    obsidian.setRequestHandler(goldenServer({ mentions: { ...mentions, body } }));
    const { app, el } = await openSidebar();
    const view = app.workspace.openMarkdown(NOTE, noteText("- [ ] 📅 Home"));
    (el.querySelector(".vaultql-mention-here button") as HTMLButtonElement).click();
    expect(view.editor.getLine(19)).toBe("- [ ] 📅 [[Home|Home]]");
  });

  it("shows the server's error body when a request fails", async () => {
    obsidian.setRequestHandler(
      goldenServer({}, (url) =>
        url.pathname === "/api/v1/related"
          ? { request: { method: "GET", path: "" }, status: 503, body: { error: { code: "unavailable", message: "related notes are not enabled on this server" } } }
          : null,
      ),
    );
    const { el } = await openSidebar();
    const error = el.querySelector(".vaultql-related-notes .vaultql-error");
    expect(error?.textContent).toContain("related notes are not enabled on this server");
    expect(el.querySelectorAll(".vaultql-suggestion")).toHaveLength(5); // the rest still shows
  });
});

describe("a server that is still starting", () => {
  it("is asked again until related notes answer", async () => {
    let refusals = 2;
    obsidian.setRequestHandler(
      goldenServer({}, (url) => {
        if (url.pathname !== "/api/v1/related" || refusals === 0) return null;
        refusals--;
        const error = { code: "unavailable", message: "related notes are starting; try again shortly" };
        return { request: { method: "GET", path: "" }, status: 503, body: { error } };
      }),
    );
    vi.useFakeTimers({ shouldAdvanceTime: true }); // flush() still runs; the 2 s waits are skipped
    try {
      const { el } = await openSidebar();
      const error = el.querySelector(".vaultql-related-notes .vaultql-error");
      expect(error?.textContent).toContain("starting");
      await vi.advanceTimersByTimeAsync(2000);
      await flush();
      await vi.advanceTimersByTimeAsync(2000);
      await flush();
      expect(refusals).toBe(0);
      expect(el.querySelectorAll(".vaultql-related-item")).toHaveLength(4);
      expect(el.querySelector(".vaultql-related-notes .vaultql-error")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
