/** A related-note reason (kind + evidence from the server) as one short human phrase. */
import type { Reason } from "./types";
import { noteName } from "./open";

const LABELS: Record<string, string> = {
  shared_tags: "shared tags",
  shared_terms: "shared terms",
  shared_links: "links to the same notes",
  co_citation: "cited together in",
  semantic: "similar meaning",
  mention: "mentioned here",
  related: "related",
};

export function describeReason(reason: Reason): string {
  const label = LABELS[reason.kind] ?? reason.kind.replace(/_/g, " ");
  const evidence = [
    ...(reason.tags ?? []),
    ...(reason.terms ?? []),
    ...(reason.notes ?? []).map(noteName),
  ];
  if (reason.kind === "mention" && reason.count !== undefined) {
    return `${label} ${reason.count}×`;
  }
  if (reason.kind === "related" && reason.parts) {
    return reason.parts.map(describeReason).join("; ");
  }
  return evidence.length > 0 ? `${label}: ${evidence.join(", ")}` : label;
}
