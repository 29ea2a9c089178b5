/** The JSON shapes of the VaultQL HTTP API the plugin reads (see docs/query-language.md). */

export interface ApiError {
  code: string;
  message: string;
  line?: number;
  column?: number;
  context?: string;
}

export interface LinkCell {
  type: "link";
  path: string;
  display: string | null;
  subpath: string | null;
  link_type: "file" | "header" | "block";
  embed: boolean;
}

export interface DateCell {
  type: "date";
  iso: string;
  zone: string;
  text: string;
}

export interface DurationCell {
  type: "duration";
  units: Record<string, number>;
  text: string;
}

export interface ObjectCell {
  type: "object";
  value: Record<string, Cell>;
}

export interface ExternalLinkCell {
  type: "external-link";
  url: string;
  display: string | null;
}

export interface NumberCell {
  type: "number";
  value: string;
}

export interface PairCell {
  type: "pair";
  key: Cell;
  value: Cell;
}

export interface TaskCell {
  type: "task" | "list-item";
  path: string;
  line: number;
  text: string;
  status?: string;
  checked?: boolean;
  completed?: boolean;
  link?: LinkCell;
  children: TaskCell[];
  [key: string]: unknown;
}

export interface GroupCell {
  type: "group";
  key: Cell;
  rows: Cell[];
  /** The number of result rows in the group (Dataview shows it beside the key). */
  count?: number;
}

/** A lambda value: Dataview renders it as `<function>`. */
export interface FunctionCell {
  type: "function";
}

export type Cell =
  | null
  | boolean
  | number
  | string
  | Cell[]
  | LinkCell
  | DateCell
  | DurationCell
  | ObjectCell
  | ExternalLinkCell
  | NumberCell
  | PairCell
  | TaskCell
  | GroupCell
  | FunctionCell;

/** One CALENDAR entry: the date field's value and the page's link. */
export interface CalendarEntry {
  date: Cell;
  link: Cell;
}

export interface QueryResult {
  type: "table" | "list" | "task" | "calendar";
  headers: string[];
  rows?: Cell[][];
  items?: Cell[];
  tasks?: Cell[];
  entries?: CalendarEntry[];
  count: number;
  took_ms: number;
  revision?: number;
  /** A random id per server run: a restarted server may count revisions from 1 again. */
  instance?: string;
}

/** POST /api/v1/eval: one expression (an inline query) evaluated for a note. */
export interface EvalResult {
  value: Cell;
  /** The value as text, rendered with the vault's Dataview settings. */
  text: string;
  revision?: number;
  instance?: string;
}

export interface Progress {
  phase: string;
  done: number;
  total: number;
  rate_per_s?: number | null;
  eta_s?: number | null;
  message?: string;
}

export interface Status {
  ready: boolean;
  revision: number;
  instance?: string;
  progress: Progress;
  notes?: number;
  reason?: string;
  /** The vault's `.obsidian/plugins/dataview/data.json` over Dataview's defaults. */
  dataview_settings?: Record<string, unknown>;
}

export interface Passage {
  heading: string | null;
  heading_path: string[];
  line: number;
  snippet: string;
  highlights: [number, number][];
}

export interface Reason {
  kind: string;
  score: number;
  signal?: number;
  terms?: string[];
  tags?: string[];
  notes?: string[];
  count?: number;
  parts?: Reason[];
}

export interface RelatedNote {
  path: string;
  score: number;
  linked: string | null;
  passage: Passage | null;
  reasons: Reason[];
}

export interface EmbeddedCount {
  done: number;
  total: number;
  complete: boolean;
}

export interface RelatedResponse {
  path: string;
  results: RelatedNote[];
  /** How much of the vault is embedded; absent from servers before 0.2. */
  embedded?: EmbeddedCount;
  /** False while this note waits for its vectors: related by links, tags and shared terms. */
  note_embedded?: boolean;
}

export interface Mention {
  path?: string;
  target?: string;
  name: string;
  text: string;
  start: number;
  end: number;
  line: number;
  column: number;
  context: string;
  already_linked: boolean;
}

export interface MentionsResponse {
  path: string;
  mentions: Mention[];
  mentions_in_note: Mention[];
}

export interface Suggestion {
  target: string;
  score: number;
  reasons: Reason[];
  mentions: Mention[];
}

export interface SuggestResponse {
  path: string;
  suggestions: Suggestion[];
}

export interface SearchHit {
  path: string;
  score: number;
  scores: { keyword: number | null; semantic: number | null };
  heading: string | null;
  heading_path: string[];
  line: number;
  snippet: string;
  highlights: [number, number][];
}

export interface SearchResponse {
  query: string;
  mode: string;
  results: SearchHit[];
  embedding?: { done: number; total: number };
}

export interface TaskRef {
  path: string;
  line: number;
  text: string;
  due?: string | null;
}

export interface ParaProject {
  id: string;
  name: string;
  note: string | null;
  status: string | null;
  tasks_open: number;
  tasks_total: number;
  overdue_count: number;
  next_action: TaskRef | null;
  stale: boolean;
  done_not_archived: boolean;
  days_inactive: number | null;
}

export interface ParaDashboard {
  now: string;
  counts: Record<string, number>;
  projects: ParaProject[];
  areas: { area: string; notes: number; untouched: number; dumping_ground: boolean }[];
  resources: { total: number; unreviewed: number; largest_folders: { folder: string; notes: number }[] };
  archives: { total: number };
}

export interface ReviewItem {
  kind: string;
  path: string;
  reason: string;
  line?: number;
  project?: string;
}

export interface ReviewDashboard {
  now: string;
  counts: Record<string, number>;
  items: ReviewItem[];
}
