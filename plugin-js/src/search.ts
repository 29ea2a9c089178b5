/** The search modal: hybrid search as you type, snippets with highlights, Enter opens the note. */
import { App, SuggestModal } from "obsidian";
import type { ApiClient } from "./api";
import { noteName, openTarget } from "./open";
import { renderSnippet } from "./snippet";
import type { ApiError, SearchHit } from "./types";

type Item = SearchHit | { error: ApiError };

export class SearchModal extends SuggestModal<Item> {
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
    title.createSpan({ cls: "vaultql-search-note", text: noteName(item.path) });
    if (item.heading_path.length > 0) {
      title.createSpan({ cls: "vaultql-search-heading", text: ` › ${item.heading_path.join(" › ")}` });
    }
    el.createDiv({ cls: "vaultql-search-path", text: item.path });
    renderSnippet(el, item.snippet, item.highlights);
  }

  onChooseSuggestion(item: Item): void {
    if ("error" in item) return;
    void openTarget(this.app, { path: item.path, heading: item.heading }, "");
  }
}
