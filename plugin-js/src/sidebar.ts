/**
 * The sidebar: for the active note, related notes (reasons + best passage), link suggestions
 * and unlinked mentions. "link" buttons edit the open note only when clicked (linking.ts).
 */
import { ItemView, Notice, TFile, WorkspaceLeaf } from "obsidian";
import type { ApiClient, ApiResult } from "./api";
import type { ConnectionMonitor } from "./connection";
import { editorFor, insertLink } from "./linking";
import { noteName, openTarget } from "./open";
import { describeReason } from "./reasons";
import { renderError } from "./results";
import { renderSnippet } from "./snippet";
import type { Mention, MentionsResponse, RelatedResponse, SuggestResponse } from "./types";

export const RELATED_VIEW = "vaultql-related";

/** A server that is starting answers 503 for a moment after DQL is ready; ask again this often. */
const RETRY = { delayMs: 2000, attempts: 30 };

export class RelatedView extends ItemView {
  private path: string | null = null;
  private revision: number | null = null;
  private generation = 0;
  private retries = 0;
  private retryTimer: number | null = null;

  constructor(
    leaf: WorkspaceLeaf,
    private readonly api: ApiClient,
    private readonly monitor: ConnectionMonitor,
  ) {
    super(leaf);
  }

  getViewType(): string {
    return RELATED_VIEW;
  }

  getDisplayText(): string {
    return "Related notes";
  }

  override getIcon(): string {
    return "links-coming-in";
  }

  override async onOpen(): Promise<void> {
    this.contentEl.addClass("vaultql-related");
    this.registerEvent(this.app.workspace.on("file-open", (file) => void this.show(file)));
    this.register(
      this.monitor.subscribe((state) => {
        if (state.kind === "ready" && state.revision !== this.revision) void this.refresh();
      }),
    );
    await this.show(this.app.workspace.getActiveFile());
  }

  override async onClose(): Promise<void> {
    this.generation++; // answers still in flight are dropped
    this.cancelRetry();
  }

  /** Bind to `file` (ignored when it is not a Markdown note, e.g. this sidebar gaining focus). */
  async show(file: TFile | null): Promise<void> {
    if (!file || file.extension !== "md") {
      if (this.path === null) this.renderEmpty();
      return;
    }
    if (file.path === this.path) return;
    this.path = file.path;
    this.retries = 0;
    void this.api.prioritise(file.path); // embed the note on screen first; the answer is not needed
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const path = this.path;
    if (path === null) return;
    const generation = ++this.generation;
    this.cancelRetry();
    const [related, suggestions, mentions] = await Promise.all([
      this.api.related(path),
      this.api.suggestLinks(path),
      this.api.mentions(path),
    ]);
    if (generation !== this.generation) return; // the user moved on
    this.revision = this.monitor.state.revision;
    const el = this.contentEl;
    // Listeners below sit on elements this call creates; emptying drops them with the elements.
    el.empty();
    el.setAttr("data-path", path);
    el.createEl("h4", { cls: "vaultql-related-title", text: noteName(path) });
    this.renderRelated(el, path, related);
    this.renderSuggestions(el, path, suggestions);
    this.renderMentions(el, path, mentions);
    const starting = [related, suggestions, mentions].some((r) => !r.ok && r.status === 503);
    if (starting && this.retries < RETRY.attempts) {
      this.retries++;
      this.retryTimer = window.setTimeout(() => void this.refresh(), RETRY.delayMs);
    }
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private renderEmpty(): void {
    this.contentEl.empty();
    this.contentEl.createDiv({ cls: "vaultql-empty", text: "Open a note to see related notes." });
  }

  private section(el: HTMLElement, cls: string, title: string): HTMLElement {
    const section = el.createDiv({ cls: `vaultql-section ${cls}` });
    section.createEl("h5", { text: title });
    return section;
  }

  private renderRelated(el: HTMLElement, path: string, result: ApiResult<RelatedResponse>): void {
    const section = this.section(el, "vaultql-related-notes", "Related notes");
    if (!result.ok) return renderError(section, result.error, "Related notes");
    if (result.data.results.length === 0) {
      section.createDiv({ cls: "vaultql-empty", text: "Nothing related found." });
    }
    for (const note of result.data.results) {
      const item = section.createDiv({ cls: "vaultql-related-item" });
      const title = item.createEl("a", { cls: "vaultql-note-link", text: noteName(note.path) });
      title.setAttr("data-path", note.path);
      item.createSpan({ cls: "vaultql-score", text: note.score.toFixed(2) });
      const reasons = item.createEl("ul", { cls: "vaultql-reasons" });
      for (const reason of note.reasons) reasons.createEl("li", { text: describeReason(reason) });
      const passage = note.passage;
      const heading = passage?.heading ?? null;
      title.addEventListener("click", () => {
        void openTarget(this.app, { path: note.path, heading }, path);
      });
      if (passage) {
        const box = item.createDiv({ cls: "vaultql-passage" });
        if (heading) box.createDiv({ cls: "vaultql-passage-heading", text: heading });
        renderSnippet(box, passage.snippet, passage.highlights);
        box.addEventListener("click", () => {
          void openTarget(this.app, { path: note.path, heading }, path);
        });
      }
    }
  }

  private renderSuggestions(el: HTMLElement, path: string, result: ApiResult<SuggestResponse>): void {
    const section = this.section(el, "vaultql-suggestions", "Link suggestions");
    if (!result.ok) return renderError(section, result.error, "Link suggestions");
    if (result.data.suggestions.length === 0) {
      section.createDiv({ cls: "vaultql-empty", text: "No suggestions." });
    }
    for (const suggestion of result.data.suggestions) {
      const item = section.createDiv({ cls: "vaultql-suggestion" });
      const title = item.createEl("a", { cls: "vaultql-note-link", text: noteName(suggestion.target) });
      title.setAttr("data-path", suggestion.target);
      title.addEventListener("click", () => {
        void openTarget(this.app, { path: suggestion.target }, path);
      });
      item.createDiv({
        cls: "vaultql-reason-line",
        text: suggestion.reasons.map(describeReason).join("; "),
      });
      const mention = suggestion.mentions.find((m) => !m.already_linked);
      if (mention) this.linkButton(item, path, suggestion.target, mention);
    }
  }

  private renderMentions(el: HTMLElement, path: string, result: ApiResult<MentionsResponse>): void {
    const section = this.section(el, "vaultql-mentions", "Unlinked mentions");
    if (!result.ok) return renderError(section, result.error, "Unlinked mentions");
    const here = result.data.mentions_in_note.filter((m) => !m.already_linked);
    const elsewhere = result.data.mentions.filter((m) => !m.already_linked);
    if (here.length === 0 && elsewhere.length === 0) {
      section.createDiv({ cls: "vaultql-empty", text: "No unlinked mentions." });
    }
    for (const mention of here) {
      const item = section.createDiv({ cls: "vaultql-mention vaultql-mention-here" });
      item.createDiv({ cls: "vaultql-mention-target", text: noteName(mention.target ?? "") });
      item.createEl("code", { cls: "vaultql-mention-context", text: mention.context.trim() });
      if (mention.target) this.linkButton(item, path, mention.target, mention);
    }
    for (const mention of elsewhere) {
      // This note's name in another note: that note is not open here, so only offer to open it.
      const source = mention.path ?? "";
      const item = section.createDiv({ cls: "vaultql-mention vaultql-mention-elsewhere" });
      const link = item.createEl("a", { cls: "vaultql-note-link", text: noteName(source) });
      link.setAttr("data-path", source);
      item.createEl("code", { cls: "vaultql-mention-context", text: mention.context.trim() });
      link.addEventListener("click", () => {
        void openTarget(this.app, { path: source, line: mention.line }, path);
      });
    }
  }

  private linkButton(item: HTMLElement, path: string, target: string, mention: Mention): void {
    const button = item.createEl("button", { cls: "vaultql-link-button", text: "link" });
    button.setAttr("aria-label", `Replace "${mention.text}" on line ${mention.line + 1} with a link`);
    button.addEventListener("click", () => {
      const outcome = insertLink(this.app, editorFor(this.app, path), path, target, mention);
      if (outcome === "linked") {
        button.disabled = true;
        button.setText("linked");
        new Notice(`Linked "${mention.text}" to ${noteName(target)}`);
      } else if (outcome === "no-editor") {
        new Notice(`Open ${noteName(path)} in an editor to link it.`);
      } else {
        new Notice("The note changed since the suggestion was made; refreshing.");
        void this.refresh();
      }
    });
  }
}
