/** Inline queries: `= expression` in reading view and live preview; inline JS stays code. */
import { StreamLanguage } from "@codemirror/language";
import { EditorSelection, EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { Tag } from "@lezer/highlight";
import { describe, expect, it } from "vitest";
import { flush, golden, goldenServer, loadPlugin, obsidian } from "./load";
import { track } from "./setup";

const NOTE = "Projects/Website Redesign.md";
const EVAL = golden("eval");
const EXPRESSION = EVAL.request.json?.expression as string;

/** A server answering /eval from the golden files, `this.due` with `due`, and /status with `settings`. */
function server(settings: Record<string, unknown> = {}) {
  const state = { revision: 1, due: "April 30, 2024", settings };
  const base = goldenServer();
  obsidian.setRequestHandler((param) => {
    const url = new URL(param.url);
    if (url.pathname === "/api/v1/status") {
      const status = golden("status").body as Record<string, unknown>;
      const dataview = { ...(status.dataview_settings as object), ...state.settings };
      return { status: 200, text: JSON.stringify({ ...status, revision: state.revision, dataview_settings: dataview }) };
    }
    const body = param.body ? (JSON.parse(param.body) as { expression?: string }) : {};
    if (url.pathname === "/api/v1/eval" && body.expression === "this.due") {
      const value = { type: "date", iso: "2024-04-30T00:00:00.000+00:00", zone: "local", text: state.due };
      return { status: 200, text: JSON.stringify({ value, text: state.due, revision: state.revision, instance: "i" }) };
    }
    return base(param);
  });
  return state;
}

const evals = () => obsidian.http.requests.filter((r) => r.url.endsWith("/api/v1/eval"));

describe("inline queries in reading view", () => {
  async function section(html: string, settings: Record<string, unknown> = {}) {
    const state = server(settings);
    const { app, plugin } = await loadPlugin();
    track(plugin);
    const rendered = track(obsidian.renderSection(app, html, NOTE));
    await flush();
    return { app, plugin, el: rendered.el, state };
  }

  it("show the value of `= expression`, evaluated with the note as origin", async () => {
    const { el } = await section(`<p>Facts: <code>= ${EXPRESSION.replace(/"/g, "&quot;")}</code>.</p>`);
    expect(JSON.parse(evals()[0]?.body ?? "{}")).toEqual({ expression: EXPRESSION, origin: NOTE });
    const value = el.querySelector("span.vaultql-inline") as HTMLElement;
    expect(value.textContent).toBe("Alice Chen, April 30, 2024, 4500, -, Due April 30, 2024");
    expect(value.querySelector("a.internal-link")?.getAttribute("data-href")).toBe("People/Alice Chen.md");
    expect(el.querySelector("code")).toBeNull();
    expect(el.textContent).toBe("Facts: Alice Chen, April 30, 2024, 4500, -, Due April 30, 2024.");
  });

  it("leave inline JS ($=) as code, never sent or run, and ordinary code and code blocks alone", async () => {
    const { el } = await section("<p><code>$= dv.current().file.name</code> <code>x = 1</code></p><pre><code>= this.due</code></pre>");
    expect(evals()).toHaveLength(0);
    const js = el.querySelector("code.vaultql-inline-js");
    expect(js?.textContent).toBe("$= dv.current().file.name");
    expect(js?.getAttribute("title")).toBe("Inline DataviewJS is not run by VaultQL");
    expect(el.querySelectorAll("code")).toHaveLength(3);
  });

  it("show the error, positioned, and ask again only when the revision changes", async () => {
    const failing = golden("eval-error-syntax").request.json?.expression as string;
    const { el, plugin, state } = await section(`<p><code>= ${failing}</code></p>`);
    const error = el.querySelector(".vaultql-inline-error") as HTMLElement;
    expect(error.textContent).toBe(`VaultQL (inline query "${failing}"): expected a field or expression after '+'`);
    expect(error.getAttribute("title")).toContain("^");
    await plugin.monitor.poll();
    await flush();
    expect(evals()).toHaveLength(1);
    state.revision = 2;
    await plugin.monitor.poll();
    await flush();
    expect(evals()).toHaveLength(2);
  });

  it("refresh with the note's data, and stop when the section is unloaded", async () => {
    const state = server();
    const { app, plugin } = await loadPlugin();
    track(plugin);
    const rendered = obsidian.renderSection(app, "<p><code>=this.due</code></p>", NOTE);
    await flush();
    expect(rendered.el.textContent).toBe("April 30, 2024");
    state.revision = 2;
    await plugin.monitor.poll();
    await flush();
    expect(evals()).toHaveLength(2);
    rendered.unload();
    state.revision = 3;
    await plugin.monitor.poll();
    await flush();
    expect(evals()).toHaveLength(2);
  });

  it("use the vault's prefix, and nothing when inline queries are off in Dataview", async () => {
    const { el } = await section("<p><code>dv: this.due</code> <code>= this.due</code></p>", { inlineQueryPrefix: "dv:" });
    expect(evals().map((r) => JSON.parse(r.body ?? "{}").expression)).toEqual(["this.due"]);
    expect(el.querySelector(".vaultql-inline")?.textContent).toBe("April 30, 2024");
    expect(el.querySelector("code")?.textContent).toBe("= this.due");
    const off = await section("<p><code>= this.due</code></p>", { enableInlineDataview: false });
    expect(off.el.querySelector("code")?.textContent).toBe("= this.due");
  });
});

/**
 * Obsidian's editor is a stream language with HyperMD's token names, so its syntax tree has
 * nodes such as "formatting_formatting-code_inline-code" and "inline-code"; this stands in for it.
 */
const hyperMdLike = StreamLanguage.define<{ inCode: boolean }>({
  tokenTable: { formatting: Tag.define(), "formatting-code": Tag.define(), "inline-code": Tag.define() },
  startState: () => ({ inCode: false }),
  token(stream, state) {
    if (stream.eat("`")) {
      state.inCode = !state.inCode;
      return "formatting formatting-code inline-code";
    }
    if (state.inCode) {
      stream.eatWhile((c) => c !== "`");
      return "inline-code";
    }
    stream.eatWhile((c) => c !== "`");
    return null;
  },
});

describe("inline queries in live preview", () => {
  async function editor(doc: string, cursor: number, livePreview = true) {
    server();
    const { app, plugin } = await loadPlugin();
    track(plugin);
    const file = app.vault.getAbstractFileByPath(NOTE) as obsidian.TFile;
    const parent = document.body.createDiv();
    const view = new EditorView({
      parent,
      state: EditorState.create({
        doc,
        selection: EditorSelection.cursor(cursor),
        extensions: [
          hyperMdLike,
          obsidian.editorInfoField.init(() => ({ file })),
          obsidian.editorLivePreviewField.init(() => livePreview),
          app.editorExtensions as never,
        ],
      }),
    });
    await flush();
    return { view, plugin };
  }

  it("show the value in place of `= expression` unless the cursor is on it", async () => {
    const doc = "Due `= this.due` and `$= dv.x` here";
    const { view } = await editor(doc, doc.length);
    const widget = view.dom.querySelector(".vaultql-inline-lp") as HTMLElement;
    expect(widget.textContent).toBe("April 30, 2024");
    expect(JSON.parse(evals()[0]?.body ?? "{}")).toEqual({ expression: "this.due", origin: NOTE });
    expect(view.contentDOM.textContent).toBe("Due April 30, 2024 and `$= dv.x` here");
    view.dispatch({ selection: EditorSelection.cursor(8) }); // into the code: edit it as text
    await flush();
    expect(view.dom.querySelector(".vaultql-inline-lp")).toBeNull();
    expect(view.contentDOM.textContent).toBe(doc);
    view.destroy();
  });

  it("leave source mode alone", async () => {
    const doc = "Due `= this.due`";
    const { view } = await editor(doc, 0, false);
    expect(view.dom.querySelector(".vaultql-inline-lp")).toBeNull();
    expect(evals()).toHaveLength(0);
    view.destroy();
  });
});
