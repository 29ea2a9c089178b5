/**
 * Ticking a task from a TASK result, as Dataview does it: the note's line is rewritten in
 * Obsidian (`app.vault.process`, atomic), never by the read-only server, and only after checking
 * that the line still holds the task the server reported — otherwise nothing is written and the
 * caller refreshes. Completion tracking follows the vault's Dataview settings: `✅ yyyy-MM-dd`
 * with the emoji shorthand, else `[completion:: <date>]` (key and date format from the settings);
 * `recursiveSubTaskCompletion` ticks the subtasks too.
 */
import { App, TFile } from "obsidian";
import { today } from "./dates";
import type { DataviewSettings } from "./dvsettings";
import type { TaskCell } from "./types";

/** A list item line: indentation (or quote markers), the marker, an optional `[c]`, the text. */
const LIST_ITEM = /^([\s>]*)(\d+[.)]|[*+-])(\s+)\[(.?)\](\s*)(.*)$/u;
const BLOCK_ID = /\s*\^[A-Za-z0-9-]+\s*$/u;
const DONE_EMOJI = /\s*✅\s*\d{4}-\d{2}-\d{2}/u;

/** The status `checked` asks for: Dataview writes `x` and a space. */
export function statusFor(checked: boolean): string {
  return checked ? "x" : " ";
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `[key:: value]` set to `value` (added at the end when missing), or removed when undefined. */
export function setInlineField(text: string, key: string, value?: string): string {
  const field = new RegExp(`[[(]\\s*${escapeRegExp(key)}\\s*::[^\\])]*[\\])]`, "u");
  const found = field.exec(text);
  if (!found) return value === undefined ? text : `${text.trimEnd()} [${key}:: ${value}]`;
  const before = text.slice(0, found.index);
  const after = text.slice(found.index + found[0].length);
  if (value === undefined) return `${before.trimEnd()}${after}`.trimEnd();
  return `${before}[${key}:: ${value}]${after}`;
}

/** The task text with its completion marker added (checked) or removed, the block id kept last. */
export function setTaskCompletion(
  text: string,
  checked: boolean,
  settings: DataviewSettings,
  now: Date = new Date(),
): string {
  const blockId = BLOCK_ID.exec(text);
  let body = blockId ? text.slice(0, blockId.index) : text;
  if (settings.taskCompletionUseEmojiShorthand) {
    body = body.replace(DONE_EMOJI, "").trimEnd();
    if (checked) body = `${body} ✅ ${today("yyyy-MM-dd", now)}`;
  } else {
    const date = checked ? today(settings.taskCompletionDateFormat, now) : undefined;
    body = setInlineField(body, settings.taskCompletionText, date);
  }
  return blockId ? `${body.trimEnd()} ${blockId[0].trim()}` : body;
}

/**
 * The new line for `task` ticked or unticked, or null when `line` no longer holds that task
 * (its text, as the server read it, must still be the line's text after the checkbox).
 */
export function rewriteTaskLine(
  line: string,
  task: Pick<TaskCell, "text">,
  checked: boolean,
  settings: DataviewSettings,
  now: Date = new Date(),
): string | null {
  const cr = line.endsWith("\r") ? "\r" : "";
  const bare = cr ? line.slice(0, -1) : line;
  const match = LIST_ITEM.exec(bare);
  if (!match) return null;
  const [, indent, marker, gap, , space, rest] = match as unknown as string[];
  const expected = (task.text.split("\n")[0] ?? "").trim();
  if ((rest ?? "").trim() !== expected) return null;
  const text = settings.taskCompletionTracking
    ? setTaskCompletion(rest ?? "", checked, settings, now)
    : (rest ?? "");
  return `${indent}${marker}${gap}[${statusFor(checked)}]${space || " "}${text}${cr}`;
}

/** `task` and, when the settings ask for it, every subtask under it that is not already so. */
export function tasksToTick(task: TaskCell, checked: boolean, settings: DataviewSettings): TaskCell[] {
  const out: TaskCell[] = [task];
  if (!settings.recursiveSubTaskCompletion) return out;
  const walk = (item: TaskCell) => {
    for (const child of item.children) {
      if (child.type === "task" && child.path === task.path && (child.checked === true) !== checked) {
        out.push(child);
      }
      walk(child);
    }
  };
  walk(task);
  return out;
}

/** The whole note with every task in `tasks` rewritten, or null when one of them moved. */
export function rewriteNote(
  data: string,
  tasks: TaskCell[],
  checked: boolean,
  settings: DataviewSettings,
  now: Date = new Date(),
): string | null {
  const lines = data.split("\n"); // a "\r" stays on its line, so the bytes around are kept
  for (const task of tasks) {
    const line = lines[task.line];
    if (line === undefined) return null;
    const next = rewriteTaskLine(line, task, checked, settings, now);
    if (next === null) return null;
    lines[task.line] = next;
  }
  return lines.join("\n");
}

export type TickOutcome = "ticked" | "changed" | "missing";

/** Ticks (or unticks) `task` in its note; "changed" when the note no longer matches. */
export async function tickTask(
  app: App,
  task: TaskCell,
  checked: boolean,
  settings: DataviewSettings,
): Promise<TickOutcome> {
  const file = app.vault.getAbstractFileByPath(task.path);
  if (!(file instanceof TFile)) return "missing";
  const tasks = tasksToTick(task, checked, settings);
  let outcome: TickOutcome = "ticked";
  await app.vault.process(file, (data) => {
    const next = rewriteNote(data, tasks, checked, settings);
    if (next === null) {
      outcome = "changed";
      return data;
    }
    return next;
  });
  return outcome;
}
