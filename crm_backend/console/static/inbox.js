// The live inbox and the handoff thread, on server-sent events. Loaded by every console page.
"use strict";

// Send a console form with fetch; the server answers JSON ({ok, message, ...}) instead of a redirect.
async function postForm(form, extra) {
  const body = new FormData(form);
  Object.entries(extra || {}).forEach(([k, v]) => body.set(k, v));
  const csrf = body.get("csrf_token");
  const response = await fetch(form.getAttribute("action"), {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRF-Token": csrf },
  });
  let answer = {};
  try {
    answer = await response.json();
  } catch (error) {
    answer = { ok: false, message: "The console did not answer; try again." };
  }
  return { ok: response.ok && answer.ok !== false, ...answer };
}

// Sound and desktop notifications: both need the agent's click once (browsers' rule).
const Alerts = {
  audio: null,
  enable() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (Context && !this.audio) this.audio = new Context();
    if ("Notification" in window && Notification.permission === "default") {
      return Notification.requestPermission();
    }
    return Promise.resolve("Notification" in window ? Notification.permission : "denied");
  },
  chime() {
    if (!this.audio) return;
    const osc = this.audio.createOscillator();
    const gain = this.audio.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.08;
    osc.connect(gain).connect(this.audio.destination);
    osc.start();
    osc.stop(this.audio.currentTime + 0.18);
  },
  notify(title, body, tag) {
    this.chime();
    if ("Notification" in window && Notification.permission === "granted") {
      try {
        new Notification(title, { body, tag });
      } catch (error) {
        console.warn("notification failed", error);
      }
    }
  },
};

const ConsoleInbox = {
  rows: [],
  me: 0,
  view: "all",
  start(root) {
    this.root = root;
    this.me = Number(root.dataset.me);
    this.view = new URLSearchParams(location.search).get("view") || "all";
    root.querySelectorAll("button.view").forEach((button) => {
      button.addEventListener("click", () => this.show(button.dataset.view));
    });
    const enable = document.getElementById("notify-enable");
    enable.addEventListener("click", async () => {
      const permission = await Alerts.enable();
      enable.textContent = permission === "granted" ? "Notifications on" : "Sound on (notifications blocked)";
    });
    const source = new EventSource(root.dataset.streamUrl);
    const live = document.getElementById("inbox-live");
    source.addEventListener("open", () => (live.textContent = "live"));
    source.addEventListener("error", () => (live.textContent = "reconnecting…"));
    source.addEventListener("logout", () => location.assign("/console/login?next=/console/inbox"));
    source.addEventListener("inbox", (event) => {
      this.rows = JSON.parse(event.data).rows;
      this.render();
    });
    source.addEventListener("handoff", (event) => {
      const row = JSON.parse(event.data);
      Alerts.notify(`${row.customer} is waiting`, row.last_text || row.reason, `handoff-${row.id}`);
    });
    source.addEventListener("message", (event) => {
      const row = JSON.parse(event.data);
      if (row.assignee_id === null || row.assignee_id === this.me) {
        Alerts.notify(`New message from ${row.customer}`, row.last_text, `handoff-${row.id}`);
      }
    });
    this.show(this.view);
  },
  matches(row, view) {
    if (view === "mine") return row.assignee_id === this.me;
    if (view === "unassigned") return row.assignee_id === null;
    return true;
  },
  show(view) {
    this.view = view;
    this.root.querySelectorAll("button.view").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.view === view)));
    history.replaceState(null, "", `?view=${encodeURIComponent(view)}`);
    this.render();
  },
  render() {
    const body = this.root.querySelector("#inbox-list tbody");
    const shown = this.rows.filter((row) => this.matches(row, this.view));
    const now = Date.now() / 1000;
    body.replaceChildren(
      ...shown.map((row) => {
        const tr = document.createElement("tr");
        tr.dataset.handoff = row.id;
        tr.dataset.conversation = row.conversation_id;
        if (row.unread) tr.classList.add("unread");
        const link = document.createElement("a");
        link.href = `/console/handoffs/${row.id}`;
        link.textContent = row.customer;
        const cells = [
          link,
          row.last_text,
          row.unread ? String(row.unread) : "",
          row.inbox_status,
          row.assignee || "unassigned",
          `${Math.max(0, Math.round((now - row.created_at) / 60))} min`,
          [row.first_response_breached ? "first response missed" : "", row.resolution_breached ? "resolution missed" : ""]
            .filter(Boolean)
            .join(", "),
          row.channel,
        ];
        const names = ["customer", "last", "unread", "status", "assignee", "waiting", "sla", "channel"];
        cells.forEach((value, i) => {
          const td = document.createElement("td");
          td.className = names[i];
          if (value instanceof Node) td.append(value);
          else td.textContent = value;
          tr.append(td);
        });
        return tr;
      }),
    );
    document.getElementById("inbox-empty").hidden = shown.length > 0;
    for (const view of ["mine", "unassigned", "all"]) {
      const count = this.rows.filter((row) => this.matches(row, view)).length;
      this.root.querySelector(`[data-count=${view}]`).textContent = String(count);
    }
    const unread = this.rows.filter((r) => r.assignee_id === null || r.assignee_id === this.me).reduce((n, r) => n + r.unread, 0);
    document.title = `${unread ? `(${unread}) ` : ""}Inbox · Concierge console`;
    const badge = document.getElementById("nav-unread");
    if (badge) {
      badge.hidden = !unread;
      badge.textContent = String(unread);
    }
  },
};

// The handoff page: the thread grows from the stream; replies and notes go by fetch.
const ConsoleThread = {
  start(root) {
    this.root = root;
    this.list = root.querySelector("ol.transcript");
    this.list.scrollTop = this.list.scrollHeight;
    const source = new EventSource(root.dataset.streamUrl);
    source.addEventListener("items", (event) => this.append(JSON.parse(event.data).html));
    source.addEventListener("handoff", (event) => this.state(JSON.parse(event.data)));
    source.addEventListener("logout", () => location.assign(`/console/login?next=${encodeURIComponent(location.pathname)}`));
    const form = document.getElementById("reply-form");
    if (form) this.wireReply(form);
    for (const id of ["status-form", "transfer-form"]) {
      const other = document.getElementById(id);
      if (other) other.addEventListener("submit", (event) => this.send(event, other));
    }
  },
  append(html) {
    const list = this.list;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const parsed = new DOMParser().parseFromString(`<ol>${html}</ol>`, "text/html");
    const placeholder = list.querySelector("li.marker:only-child");
    if (placeholder && !placeholder.dataset.event) placeholder.remove();
    list.append(...Array.from(parsed.body.firstChild.children).map((li) => document.importNode(li, true)));
    if (atBottom) list.scrollTop = list.scrollHeight; // else the agent is reading above: stay there
  },
  state(handoff) {
    document.getElementById("handoff-status").textContent = handoff.status;
    document.getElementById("inbox-status").textContent = handoff.inbox_status;
    const me = Number(this.root.dataset.me);
    const note = document.getElementById("typing-note");
    if (handoff.assignee_id && handoff.assignee_id !== me) note.textContent = "Another agent now serves this conversation.";
  },
  async send(event, form) {
    event.preventDefault();
    const answer = await postForm(form);
    const status = document.getElementById("reply-status");
    if (status) status.textContent = answer.message || "";
  },
  wireReply(form) {
    const box = form.querySelector("textarea");
    const status = document.getElementById("reply-status");
    const noteMode = document.getElementById("note-mode");
    const canned = document.getElementById("canned-select");
    if (canned) {
      canned.addEventListener("change", () => {
        const option = canned.selectedOptions[0];
        if (option && option.dataset.text) {
          box.value = box.value ? `${box.value} ${option.dataset.text}` : option.dataset.text;
          box.focus();
        }
        canned.value = "";
      });
    }
    noteMode.addEventListener("change", () => {
      form.classList.toggle("note-mode", noteMode.checked);
      box.placeholder = noteMode.checked ? "Internal note: only agents see it" : "Your reply to the customer (Enter sends, Shift+Enter for a new line)";
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = box.value.trim();
      if (!text) return;
      const asNote = noteMode.checked;
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      status.textContent = asNote ? "saving note…" : "sending…";
      const target = asNote ? form.dataset.noteAction : form.getAttribute("action");
      const body = new FormData(form);
      body.set(asNote ? "body" : "text", text);
      try {
        const response = await fetch(target, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRF-Token": body.get("csrf_token") },
        });
        const answer = await response.json().catch(() => ({}));
        if (response.ok) {
          box.value = "";
          status.textContent = asNote ? "note saved" : "sent";
        } else {
          status.textContent = answer.message || (answer.error && answer.error.message) || "not sent; try again";
        }
      } catch (error) {
        status.textContent = "not sent (connection lost); try again";
      } finally {
        button.disabled = false;
        box.focus();
      }
    });
  },
};
