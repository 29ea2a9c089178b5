/**
 * The sidebar: for the active note, related notes (reasons + best passage), link suggestions
 * and unlinked mentions. "link" buttons edit the open note only when clicked (linking.ts).
 */
import { HoverParent, HoverPopover, ItemView, Notice, TFile, WorkspaceLeaf } from "obsidian";
import type { ApiClient, ApiResult } from "./api";
import { ConnectionMonitor, dataKey } from "./connection";
import { editorFor, insertLink } from "./linking";
import { internalLink, type LinkContext, type OpenIn, VIEWS_HOVER_SOURCE, wireLink } from "./links";
import { linktext, noteName, openTarget, type Target } from "./open";
import { describeReason } from "./reasons";
import { renderError } from "./results";
import { renderSnippet } from "./snippet";
import type { Mention, MentionsResponse, RelatedResponse, SuggestResponse } from "./types";

export const RELATED_VIEW = "vaultql-related";

/** A server that is starting answers 503 for a moment after DQL is ready; ask again this often. */
const RETRY = { delayMs: 2000, attempts: 30 };

export class RelatedView extends ItemView implements HoverParent {
  hoverPopover: HoverPopover | null = null;
  private path: string | null = null;
  private shownKey: string | null = null;
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
        const key = dataKey(state);
        if (key !== null && key !== this.shownKey) void this.refresh();
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
    this.shownKey = dataKey(this.monitor.state);
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

  private links(sourcePath: string): LinkContext {
    return { app: this.app, sourcePath, hoverParent: this, hoverSource: VIEWS_HOVER_SOURCE };
  }

  /** A link to a note (at a heading or line): hover preview, Ctrl/Cmd-click for a new tab. */
  private noteLink(parent: HTMLElement, sourcePath: string, target: Target, text: string): HTMLElement {
    const link = internalLink(parent, this.links(sourcePath), {
      linktext: linktext(target.path, target.heading),
      text,
      cls: "vaultql-note-link",
      open: (newLeaf: OpenIn) => openTarget(this.app, target, sourcePath, newLeaf),
    });
    link.setAttr("data-path", target.path);
    return link;
  }

  private section(el: HTMLElement, cls: string, title: string): HTMLElement {
    const section = el.createDiv({ cls: `vaultql-section ${cls}` });
    section.createEl("h5", { text: title });
    return section;
  }

  private renderRelated(el: HTMLElement, path: string, result: ApiResult<RelatedResponse>): void {
    const section = this.section(el, "vaultql-related-notes", "Related notes");
    if (!result.ok) return renderError(section, result.error, "Related notes");
    const embedded = result.data.embedded;
    if (result.data.note_embedded === false && embedded) {
      // Said, not hidden: until its vectors arrive the note is related by links, tags and terms.
      section.createDiv({
        cls: "vaultql-partial",
        text: `Still embedding (${embedded.done} of ${embedded.total} notes): related by links, tags and shared terms for now.`,
      });
    }
    if (result.data.results.length === 0) {
      section.createDiv({ cls: "vaultql-empty", text: "Nothing related found." });
    }
    for (const note of result.data.results) {
      const item = section.createDiv({ cls: "vaultql-related-item" });
      const passage = note.passage;
      const heading = passage?.heading ?? null;
      const target: Target = { path: note.path, heading };
      this.noteLink(item, path, target, noteName(note.path));
      item.createSpan({ cls: "vaultql-score", text: note.score.toFixed(2) });
      const reasons = item.createEl("ul", { cls: "vaultql-reasons" });
      for (const reason of note.reasons) reasons.createEl("li", { text: describeReason(reason) });
      if (passage) {
        const box = item.createDiv({ cls: "vaultql-passage" });
        if (heading) box.createDiv({ cls: "vaultql-passage-heading", text: heading });
        renderSnippet(box, passage.snippet, passage.highlights);
        wireLink(box, this.links(path), linktext(note.path, heading), (newLeaf) =>
          openTarget(this.app, target, path, newLeaf),
        );
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
      this.noteLink(item, path, { path: suggestion.target }, noteName(suggestion.target));
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
      this.noteLink(item, path, { path: source, line: mention.line }, noteName(source));
      item.createEl("code", { cls: "vaultql-mention-context", text: mention.context.trim() });
    }
  }

  private linkButton(item: HTMLElement, path: string, target: string, mention: Mention): void {
    const button = item.createEl("button", { cls: "vaultql-link-button", text: "Link" });
    button.setAttr("aria-label", `Replace "${mention.text}" on line ${mention.line + 1} with a link`);
    button.addEventListener("click", () => {
      const outcome = insertLink(this.app, editorFor(this.app, path), path, target, mention);
      if (outcome === "linked") {
        button.disabled = true;
        button.setText("Linked");
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
