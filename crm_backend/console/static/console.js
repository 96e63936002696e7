// Concierge console: two small helpers, no framework, no inline script (CSP: script-src 'self').
"use strict";

// Live handoff: reload the transcript fragment every 2 s. The server renders it (escaped).
function pollTranscript(container) {
  const url = container.dataset.pollUrl;
  let last = "";
  async function tick() {
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (response.ok) {
        const html = await response.text();
        if (html !== last) {
          last = html;
          const parsed = new DOMParser().parseFromString(html, "text/html");
          const list = parsed.querySelector("ol.transcript");
          if (list) container.replaceChildren(document.importNode(list, true));
        }
      }
    } catch (error) {
      console.warn("transcript poll failed", error);
    }
    window.setTimeout(tick, 2000);
  }
  window.setTimeout(tick, 2000);
}

// Annotation: selecting words of the message fills the first empty entity row's start/end/value.
function selectionOffsets(element) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!element.contains(range.startContainer) || !element.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.selectNodeContents(element);
  before.setEnd(range.startContainer, range.startOffset);
  const start = before.toString().length;
  const value = range.toString();
  return { start, end: start + value.length, value };
}

function wireAnnotation(form) {
  const text = form.querySelector(".annotate-text");
  if (!text) return;
  text.addEventListener("mouseup", () => {
    const picked = selectionOffsets(text);
    if (!picked) return;
    const rows = Array.from(form.querySelectorAll(".entity-row"));
    const row = rows.find((r) => !r.querySelector("input[name^=start_]").value) || rows[rows.length - 1];
    row.querySelector("input[name^=start_]").value = picked.start;
    row.querySelector("input[name^=end_]").value = picked.end;
    row.querySelector("input[name^=value_]").value = picked.value;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const live = document.getElementById("live-transcript");
  if (live) pollTranscript(live);
  document.querySelectorAll("form.annotate-form").forEach(wireAnnotation);
});
