/**
 * The vault's Dataview settings, as the server reports them in `/status` (`dataview_settings`:
 * `.obsidian/plugins/dataview/data.json` over Dataview's defaults). The plugin renders with them
 * exactly as Dataview would; a value of the wrong type falls back to Dataview's default.
 */

export interface DataviewSettings {
  renderNullAs: string;
  defaultDateFormat: string;
  defaultDateTimeFormat: string;
  tableIdColumnName: string;
  tableGroupColumnName: string;
  showResultCount: boolean;
  warnOnEmptyResult: boolean;
  maxRecursiveRenderDepth: number;
  inlineQueryPrefix: string;
  inlineJsQueryPrefix: string;
  /** Dataview's "Enable inline queries": off, `= …` stays code. */
  enableInlineDataview: boolean;
  taskCompletionTracking: boolean;
  taskCompletionUseEmojiShorthand: boolean;
  taskCompletionText: string;
  taskCompletionDateFormat: string;
  recursiveSubTaskCompletion: boolean;
}

/** Dataview 0.5.70's defaults. */
export const DATAVIEW_DEFAULTS: Readonly<DataviewSettings> = Object.freeze({
  renderNullAs: "\\-",
  defaultDateFormat: "MMMM dd, yyyy",
  defaultDateTimeFormat: "h:mm a - MMMM dd, yyyy",
  tableIdColumnName: "File",
  tableGroupColumnName: "Group",
  showResultCount: true,
  warnOnEmptyResult: true,
  maxRecursiveRenderDepth: 4,
  inlineQueryPrefix: "=",
  inlineJsQueryPrefix: "$=",
  enableInlineDataview: true,
  taskCompletionTracking: false,
  taskCompletionUseEmojiShorthand: false,
  taskCompletionText: "completion",
  taskCompletionDateFormat: "yyyy-MM-dd",
  recursiveSubTaskCompletion: false,
});

/** `raw` (from `/status`) over the defaults, key by key, keeping only values of the right type. */
export function dataviewSettings(raw: Record<string, unknown> | null | undefined): DataviewSettings {
  const out: DataviewSettings = { ...DATAVIEW_DEFAULTS };
  if (!raw || typeof raw !== "object") return out;
  const target = out as unknown as Record<string, unknown>;
  for (const [key, fallback] of Object.entries(DATAVIEW_DEFAULTS)) {
    const value = raw[key];
    if (typeof value !== typeof fallback) continue;
    if (typeof value === "number" && !Number.isFinite(value)) continue;
    // Empty prefixes would turn every inline code span into a query: keep Dataview's.
    if ((key === "inlineQueryPrefix" || key === "inlineJsQueryPrefix") && value === "") continue;
    target[key] = value;
  }
  return out;
}
