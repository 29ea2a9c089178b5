/** The search modal: hybrid search as you type, snippets with highlights, Enter opens the note. */
import { App, HoverParent, HoverPopover, Keymap, SuggestModal } from "obsidian";
import type { ApiClient } from "./api";
import { VIEWS_HOVER_SOURCE, wireLink } from "./links";
import { linktext, noteName, openTarget } from "./open";
import { renderSnippet } from "./snippet";
import type { ApiError, SearchHit } from "./types";

type Item = SearchHit | { error: ApiError };

export class SearchModal extends SuggestModal<Item> implements HoverParent {
  hoverPopover: HoverPopover | null = null;
  private latest = 0;

  constructor(
    app: App,
    private readonly api: ApiClient,
  ) {
    super(app);
    this.setPlaceholder("Search the vault (VaultQL hybrid search)…");
    this.emptyStateText = "No matching notes.";
    this.limit = 20;
  }

  async getSuggestions(query: string): Promise<Item[]> {
    const text = query.trim();
    if (text.length < 2) return [];
    const ticket = ++this.latest;
    const result = await this.api.search(text, this.limit);
    if (ticket !== this.latest) return []; // a newer keystroke's answer will be shown instead
    if (!result.ok) return [{ error: result.error }];
    return result.data.results;
  }

  renderSuggestion(item: Item, el: HTMLElement): void {
    el.addClass("vaultql-search-item");
    if ("error" in item) {
      el.addClass("vaultql-error");
      el.createDiv({ cls: "vaultql-error-message", text: `${item.error.code}: ${item.error.message}` });
      return;
    }
    const title = el.createDiv({ cls: "vaultql-search-title" });
    const note = title.createSpan({ cls: "vaultql-search-note internal-link", text: noteName(item.path) });
    note.setAttr("data-href", linktext(item.path, item.heading));
    // Hover previews the note; a click (Ctrl/Cmd-click: a new tab) opens it like Enter does.
    wireLink(
      note,
      { app: this.app, sourcePath: "", hoverParent: this, hoverSource: VIEWS_HOVER_SOURCE },
      linktext(item.path, item.heading),
      (newLeaf) => {
        this.close();
        return openTarget(this.app, { path: item.path, heading: item.heading }, "", newLeaf);
      },
    );
    if (item.heading_path.length > 0) {
      title.createSpan({ cls: "vaultql-search-heading", text: ` › ${item.heading_path.join(" › ")}` });
    }
    el.createDiv({ cls: "vaultql-search-path", text: item.path });
    renderSnippet(el, item.snippet, item.highlights);
  }

  /** Enter or a click; with Ctrl/Cmd the note opens in a new tab. */
  onChooseSuggestion(item: Item, evt: MouseEvent | KeyboardEvent): void {
    if ("error" in item) return;
    void openTarget(this.app, { path: item.path, heading: item.heading }, "", Keymap.isModEvent(evt));
  }
}
