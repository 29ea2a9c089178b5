/** The dashboard view: PARA (projects, areas, resources, archives) and the weekly review. */
import { HoverParent, HoverPopover, ItemView, WorkspaceLeaf } from "obsidian";
import type { ApiClient } from "./api";
import { ConnectionMonitor, dataKey } from "./connection";
import { internalLink, type LinkContext, VIEWS_HOVER_SOURCE } from "./links";
import { noteName, openTarget } from "./open";
import { renderError } from "./results";
import type { ParaDashboard, ReviewDashboard } from "./types";

export const DASHBOARD_VIEW = "vaultql-dashboard";
type Tab = "para" | "review";

const REVIEW_TITLES: Record<string, string> = {
  stale_project: "Stale projects",
  done_not_archived: "Done but not archived",
  overdue_task: "Overdue tasks",
  fleeting: "Fleeting notes to process",
  new_orphan: "New orphan notes",
};

export class DashboardView extends ItemView implements HoverParent {
  hoverPopover: HoverPopover | null = null;
  private tab: Tab = "para";
  private shownKey: string | null = null;
  private generation = 0;

  constructor(
    leaf: WorkspaceLeaf,
    private readonly api: ApiClient,
    private readonly monitor: ConnectionMonitor,
  ) {
    super(leaf);
  }

  getViewType(): string {
    return DASHBOARD_VIEW;
  }

  getDisplayText(): string {
    return "VaultQL dashboard";
  }

  override getIcon(): string {
    return "layout-dashboard";
  }

  override async onOpen(): Promise<void> {
    this.contentEl.addClass("vaultql-dashboard");
    this.register(
      this.monitor.subscribe((state) => {
        const key = dataKey(state);
        if (key !== null && key !== this.shownKey) void this.refresh();
      }),
    );
    await this.refresh();
  }

  override async onClose(): Promise<void> {
    this.generation++;
  }

  async setTab(tab: Tab): Promise<void> {
    this.tab = tab;
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const tab = this.tab;
    const result = tab === "para" ? await this.api.para() : await this.api.review();
    if (generation !== this.generation) return;
    this.shownKey = dataKey(this.monitor.state);
    const el = this.contentEl;
    el.empty(); // listeners below belong to elements created here
    const tabs = el.createDiv({ cls: "vaultql-tabs" });
    for (const [id, label] of [["para", "PARA"], ["review", "Weekly review"]] as const) {
      const button = tabs.createEl("button", { cls: "vaultql-tab", text: label });
      button.setAttr("data-tab", id);
      if (id === tab) button.addClass("is-active");
      button.addEventListener("click", () => void this.setTab(id));
    }
    const body = el.createDiv({ cls: `vaultql-dashboard-body vaultql-${tab}` });
    if (!result.ok) return renderError(body, result.error, "Dashboard");
    if (tab === "para") this.renderPara(body, result.data as ParaDashboard);
    else this.renderReview(body, result.data as ReviewDashboard);
  }

  private get links(): LinkContext {
    return { app: this.app, sourcePath: "", hoverParent: this, hoverSource: VIEWS_HOVER_SOURCE };
  }

  /** A link to a note (at a line): hover preview, Ctrl/Cmd-click or middle click for a new tab. */
  private noteLink(parent: HTMLElement, path: string, text?: string, line?: number): void {
    const link = internalLink(parent, this.links, {
      linktext: path,
      text: text ?? noteName(path),
      cls: "vaultql-note-link",
      open: (newLeaf) => openTarget(this.app, { path, line: line ?? null }, "", newLeaf),
    });
    link.setAttr("data-path", path);
  }

  private renderPara(el: HTMLElement, data: ParaDashboard): void {
    const counts = el.createDiv({ cls: "vaultql-counts" });
    for (const [bucket, count] of Object.entries(data.counts)) {
      const chip = counts.createDiv({ cls: "vaultql-count-chip" });
      chip.setAttr("data-bucket", bucket);
      chip.setText(`${bucket}: ${count}`);
    }
    el.createEl("h4", { text: "Projects" });
    const table = el.createEl("table", { cls: "vaultql-projects" });
    const head = table.createEl("thead").createEl("tr");
    for (const title of ["Project", "Status", "Tasks", "Overdue", "Next action"]) {
      head.createEl("th", { text: title });
    }
    const body = table.createEl("tbody");
    for (const project of data.projects) {
      const row = body.createEl("tr");
      row.setAttr("data-project", project.id);
      if (project.stale) row.addClass("is-stale");
      const name = row.createEl("td");
      if (project.note) this.noteLink(name, project.note, project.name);
      else name.setText(project.name);
      if (project.stale) name.createSpan({ cls: "vaultql-flag", text: " stale" });
      if (project.done_not_archived) name.createSpan({ cls: "vaultql-flag", text: " archive me" });
      row.createEl("td", { text: project.status ?? "-" });
      row.createEl("td", { text: `${project.tasks_open}/${project.tasks_total} open` });
      row.createEl("td", { text: String(project.overdue_count) });
      const next = row.createEl("td");
      const action = project.next_action;
      if (action) this.noteLink(next, action.path, action.text, action.line);
      else next.setText("-");
    }
    el.createEl("h4", { text: "Areas" });
    const areas = el.createEl("ul", { cls: "vaultql-areas" });
    for (const area of data.areas) {
      const flag = area.dumping_ground ? " (dumping ground)" : "";
      areas.createEl("li", { text: `${area.area}: ${area.notes} notes, ${area.untouched} untouched${flag}` });
    }
    el.createEl("h4", { text: "Resources" });
    const resources = el.createEl("ul", { cls: "vaultql-resources" });
    resources.createEl("li", {
      text: `${data.resources.total} notes, ${data.resources.unreviewed} unreviewed`,
    });
    for (const folder of data.resources.largest_folders) {
      resources.createEl("li", { text: `${folder.folder}: ${folder.notes}` });
    }
    el.createEl("h4", { text: "Archives" });
    el.createDiv({ cls: "vaultql-archives", text: `${data.archives.total} archived` });
  }

  private renderReview(el: HTMLElement, data: ReviewDashboard): void {
    if (data.items.length === 0) {
      el.createDiv({ cls: "vaultql-empty", text: "Nothing to review this week." });
      return;
    }
    const kinds = [...new Set(data.items.map((item) => item.kind))];
    for (const kind of kinds) {
      const section = el.createDiv({ cls: "vaultql-review-section" });
      section.setAttr("data-kind", kind);
      section.createEl("h4", { text: `${REVIEW_TITLES[kind] ?? kind} (${data.counts[kind] ?? 0})` });
      const list = section.createEl("ul");
      for (const item of data.items.filter((i) => i.kind === kind)) {
        const li = list.createEl("li", { cls: "vaultql-review-item" });
        this.noteLink(li, item.path, undefined, item.line);
        li.createDiv({ cls: "vaultql-review-reason", text: item.reason });
      }
    }
  }
}
