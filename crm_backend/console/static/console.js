// Concierge console: small helpers, no framework, no inline script (CSP: script-src 'self').
// The live parts (inbox, handoff thread) listen to server-sent events; forms are sent with
// fetch and `Accept: application/json`, so an agent never waits for a page reload.
"use strict";

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

// One annotation form per page, opened under the message to correct; saved without a reload.
const ConsoleAnnotate = {
  start(form) {
    this.form = form;
    wireAnnotation(form);
    document.querySelectorAll("button.annotate-open").forEach((button) => {
      button.addEventListener("click", () => this.open(button));
    });
    form.querySelector(".annotate-cancel").addEventListener("click", () => (form.hidden = true));
    form.addEventListener("submit", (event) => this.save(event));
  },
  open(button) {
    const form = this.form;
    const item = button.closest("li");
    form.reset();
    form.elements.event_id.value = button.dataset.event;
    form.querySelector(".annotate-text").textContent = item.querySelector(".msg-text").textContent;
    if (button.dataset.intent) form.elements.intent.value = button.dataset.intent;
    const entities = JSON.parse(button.dataset.entities || "[]");
    form.querySelectorAll(".entity-row").forEach((row, n) => {
      const e = entities[n] || {};
      row.querySelector("select").value = e.entity || "";
      row.querySelector("input[name^=start_]").value = e.start ?? "";
      row.querySelector("input[name^=end_]").value = e.end ?? "";
      row.querySelector("input[name^=value_]").value = e.value || "";
    });
    form.querySelector(".annotate-status").textContent = "";
    button.after(form);
    form.hidden = false;
    this.button = button;
  },
  async save(event) {
    event.preventDefault();
    const answer = await postForm(this.form);
    this.form.querySelector(".annotate-status").textContent = answer.message || "";
    if (answer.ok && this.button) {
      this.button.textContent = `Annotated: ${this.form.elements.intent.value}`;
      this.button.dataset.intent = this.form.elements.intent.value;
      this.button.dataset.annotated = "1";
    }
  },
};

document.addEventListener("DOMContentLoaded", () => {
  const inbox = document.getElementById("inbox");
  if (inbox) ConsoleInbox.start(inbox);
  const handoff = document.getElementById("handoff-page");
  if (handoff) ConsoleThread.start(handoff);
  const form = document.getElementById("annotate-form");
  if (form) ConsoleAnnotate.start(form);
  const clusters = document.getElementById("clusters-slot");
  if (clusters) {
    fetch(clusters.dataset.url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const table = new DOMParser().parseFromString(html, "text/html").querySelector("#clusters");
        if (table) clusters.replaceChildren(document.importNode(table, true));
      })
      .catch(() => (clusters.textContent = "Could not group the unrecognised messages; reload to try again."));
  }
  const toggle = document.getElementById("toggle-nlu");
  if (toggle) {
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-pressed") !== "true";
      document.querySelectorAll("details.nlu").forEach((d) => (d.open = open));
      toggle.setAttribute("aria-pressed", String(open));
      toggle.textContent = open ? "Hide NLU details" : "Show NLU details";
    });
  }
});
