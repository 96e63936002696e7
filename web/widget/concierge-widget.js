/*
 * Concierge chat widget: plain JavaScript, no build step.
 *
 * Embed (see the README):
 *   <script>
 *     window.ConciergeWidgetConfig = {
 *       socketUrl: "https://chat.example.com",     // the Rasa server (socket.io channel)
 *       customerToken: "<token your backend signed>", // or a function returning one or a Promise
 *       productUrl: "https://shop.example.com/p/{sku}" // optional: the cards' "View" button
 *     };
 *   </script>
 *   <script src="https://crm.example.com/widget/concierge-widget.js" defer></script>
 *
 * It loads its stylesheet and the vendored socket.io client (vendor/) from beside itself.
 * Every piece of text from the bot or the user is put into the page with textContent.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var BASE = script && script.src ? script.src.replace(/[^/]*(\?.*)?$/, "") : "";
  /* The contract with the server, mirrored from the Python package protocol/ (metadata keys:
     protocol/metadata.py; payloads: protocol/payloads.py; limits: protocol/limits.py) and the
     socket.io events of bot/channels/widget.py. Change them there first, then here. */
  var PROTOCOL = {
    CUSTOMER_TOKEN: "customer_token",
    MESSAGE_ID: "message_id",
    RETRY: "retry",
    METADATA_KEY: "customData", // bot/credentials.yml: metadata_key
    PRODUCT_CARDS: "product_cards",
    MAX_CARDS: 10,
    MAX_MESSAGE_CHARS: 4000,
    SESSION_REQUEST: "session_request",
    SESSION_CONFIRM: "session_confirm",
    SESSION_PROOF: "session_proof",
    USER_UTTERED: "user_uttered",
    BOT_UTTERED: "bot_uttered",
    MESSAGE_REFUSED: "message_refused",
    REPLY_METADATA: "metadata", // a reply's {id, reply_to} (bot/channels/widget.py: REPLY_METADATA)
  };
  var DEFAULTS = {
    socketUrl: "",
    socketPath: "/socket.io",
    customerToken: null,
    title: "Concierge",
    subtitle: "We usually answer at once", // shown only while an agent is online (statusUrl)
    offlineSubtitle: "Our assistant answers now; our team is offline.",
    statusUrl: null, // the CRM's /widget/status; by default beside this script
    teamName: "Support",
    locale: "en-GB", // for prices
    productUrl: null, // a product's page for the cards' "View" button, e.g. "https://shop.example/p/{sku}"
    greeting: "Hi! Ask me about your orders, returns or our products.",
    position: "right",
    colors: {},
    storage: "session",
    maxLength: 2000,
    maxHistory: 200,
    maxSeenReplies: 500,
    ackTimeoutMs: 60000,
    startOpen: false,
    assetBaseUrl: null,
  };
  var COLOR_VARS = {
    primary: "--cw-primary",
    onPrimary: "--cw-on-primary",
    background: "--cw-bg",
    text: "--cw-text",
    botBubble: "--cw-bot-bubble",
    userBubble: "--cw-user-bubble",
    onUserBubble: "--cw-on-user-bubble",
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z");
    svg.appendChild(path);
    return svg;
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function pickStorage(kind) {
    try {
      var store = kind === "local" ? window.localStorage : window.sessionStorage;
      store.setItem("cw-probe", "1");
      store.removeItem("cw-probe");
      return store;
    } catch (e) {
      return null; // storage blocked: the conversation then lives as long as the page
    }
  }

  function Widget(options) {
    this.config = Object.assign({}, DEFAULTS, options || {});
    this.config.maxLength = Math.min(Number(this.config.maxLength) || PROTOCOL.MAX_MESSAGE_CHARS, PROTOCOL.MAX_MESSAGE_CHARS);
    if (!this.config.socketUrl) throw new Error("Concierge widget: config.socketUrl is required");
    this.assetBase = this.config.assetBaseUrl || BASE || window.location.href;
    this.store = pickStorage(this.config.storage);
    this.storeKey = "concierge-widget:" + this.config.socketUrl;
    this.state = this.load();
    this.rows = {}; // user message id -> its delivery line
    this.ready = false; // connected and session confirmed
    this.inFlight = null; // the send attempt waiting for the server's acknowledgement
    this.failures = 0;
    this.build();
    this.renderHistory();
    this.connect();
    this.checkAvailability();
    if (this.config.startOpen || this.state.open) this.setOpen(true, false);
  }

  Widget.prototype.load = function () {
    var empty = {
      sessionId: null,
      sessionProof: null,
      messages: [],
      outbox: [],
      seen: [],
      open: false,
      unread: 0,
      agent: null,
    };
    if (!this.store) return empty;
    try {
      var saved = JSON.parse(this.store.getItem(this.storeKey) || "null");
      return saved && Array.isArray(saved.messages) ? Object.assign(empty, saved) : empty;
    } catch (e) {
      return empty;
    }
  };

  Widget.prototype.save = function () {
    if (!this.store) return;
    var overflow = this.state.messages.length - this.config.maxHistory;
    if (overflow > 0) this.state.messages.splice(0, overflow);
    var seenOverflow = this.state.seen.length - this.config.maxSeenReplies;
    if (seenOverflow > 0) this.state.seen.splice(0, seenOverflow);
    try {
      this.store.setItem(this.storeKey, JSON.stringify(this.state));
    } catch (e) {
      /* full or blocked: keep going without persistence */
    }
  };

  // ---- markup --------------------------------------------------------------------------

  Widget.prototype.build = function () {
    var c = this.config;
    var uid = "cw-" + Math.random().toString(36).slice(2, 8);
    var root = (this.root = el("div", "cw-root cw-" + (c.position === "left" ? "left" : "right")));
    Object.keys(COLOR_VARS).forEach(function (key) {
      if (c.colors && c.colors[key]) root.style.setProperty(COLOR_VARS[key], c.colors[key]);
    });

    var panel = (this.panel = el("section", "cw-panel"));
    panel.id = uid + "-panel";
    panel.hidden = true;
    panel.setAttribute("aria-labelledby", uid + "-title");

    var header = el("header", "cw-header");
    var titles = el("div", "cw-titles");
    var title = el("h2", "cw-title", c.title);
    title.id = uid + "-title";
    titles.appendChild(title);
    this.subtitle = titles.appendChild(el("p", "cw-subtitle", c.offlineSubtitle));
    var close = (this.closeButton = el("button", "cw-close"));
    close.type = "button";
    close.setAttribute("aria-label", "Close chat");
    close.textContent = "\u00d7";
    header.appendChild(titles);
    header.appendChild(close);

    var status = (this.status = el("p", "cw-status"));
    status.setAttribute("role", "status");
    status.hidden = true;

    var log = (this.log = el("div", "cw-log"));
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", "Conversation");
    log.tabIndex = 0;

    var typing = (this.typing = el("div", "cw-typing"));
    typing.hidden = true;
    typing.setAttribute("aria-label", c.title + " is typing");
    typing.appendChild(el("span"));
    typing.appendChild(el("span"));
    typing.appendChild(el("span"));

    var form = (this.form = el("form", "cw-form"));
    var label = el("label", "cw-visually-hidden", "Message to " + c.title);
    label.setAttribute("for", uid + "-input");
    var input = (this.input = el("textarea", "cw-input"));
    input.id = uid + "-input";
    input.rows = 1;
    input.placeholder = "Type your message\u2026";
    input.setAttribute("aria-describedby", uid + "-hint");
    var send = (this.sendButton = el("button", "cw-send", "Send"));
    send.type = "submit";
    var hint = (this.hint = el("p", "cw-hint"));
    hint.id = uid + "-hint";
    hint.setAttribute("aria-live", "polite");
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);

    panel.appendChild(header);
    panel.appendChild(status);
    panel.appendChild(log);
    panel.appendChild(typing);
    panel.appendChild(form);
    panel.appendChild(hint);

    var launcher = (this.launcher = el("button", "cw-launcher"));
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", panel.id);
    launcher.appendChild(chatIcon());
    this.launcherLabel = launcher.appendChild(el("span", "cw-visually-hidden", "Open chat"));
    this.badge = launcher.appendChild(el("span", "cw-badge"));
    this.badge.setAttribute("aria-hidden", "true");

    root.appendChild(panel);
    root.appendChild(launcher);
    document.body.appendChild(root);

    var self = this;
    launcher.addEventListener("click", function () {
      self.setOpen(self.panel.hidden, true);
    });
    close.addEventListener("click", function () {
      self.setOpen(false, true);
    });
    root.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !self.panel.hidden) {
        event.preventDefault();
        self.setOpen(false, true);
      }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.submit();
      }
    });
    input.addEventListener("input", function () {
      self.updateCounter();
      self.fitInput();
    });
    this.narrow = window.matchMedia ? window.matchMedia("(max-width: 479.98px)") : null;
    if (this.narrow && this.narrow.addEventListener) {
      this.narrow.addEventListener("change", function () {
        self.lockPageScroll();
      });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submit();
    });
    this.updateBadge();
  };

  Widget.prototype.setOpen = function (open, moveFocus) {
    this.panel.hidden = !open;
    this.launcher.setAttribute("aria-expanded", open ? "true" : "false");
    this.launcherLabel.textContent = open ? "Close chat" : "Open chat";
    this.root.classList.toggle("cw-open", open);
    this.state.open = open;
    this.lockPageScroll();
    if (open) {
      this.state.unread = 0;
      this.scrollToEnd();
      if (moveFocus) this.input.focus();
    } else if (moveFocus) {
      this.launcher.focus();
    }
    this.updateBadge();
    this.save();
  };

  /* Full screen on a phone: the page behind must not scroll under the customer's finger. */
  Widget.prototype.lockPageScroll = function () {
    var lock = !this.panel.hidden && !!(this.narrow && this.narrow.matches);
    document.documentElement.classList.toggle("cw-lock-scroll", lock);
  };

  /* The input grows with its text, up to its CSS max-height, then scrolls. */
  Widget.prototype.fitInput = function () {
    this.input.style.height = "auto";
    this.input.style.height = this.input.scrollHeight + 2 + "px";
  };

  Widget.prototype.updateBadge = function () {
    var n = this.state.unread || 0;
    this.badge.textContent = n > 9 ? "9+" : String(n);
    this.badge.hidden = n === 0;
    if (this.panel.hidden) {
      this.launcherLabel.textContent = n ? "Open chat (" + n + " unread)" : "Open chat";
    }
  };

  Widget.prototype.updateCounter = function () {
    var length = this.input.value.length;
    var max = this.config.maxLength;
    var over = length > max;
    this.input.setAttribute("aria-invalid", over ? "true" : "false");
    this.sendButton.disabled = over;
    this.form.classList.toggle("cw-over", over);
    if (over) {
      this.setHint(
        "Your message is " + length + " characters long; the limit is " + max + ". Please shorten it.",
        true
      );
    } else if (length > max * 0.9) {
      this.setHint(length + " / " + max + " characters", false);
    } else {
      this.setHint("", false);
    }
    return !over;
  };

  Widget.prototype.setHint = function (text, isError) {
    this.hint.textContent = text;
    this.hint.classList.toggle("cw-error", !!isError);
    this.hint.setAttribute("role", isError ? "alert" : "status");
  };

  Widget.prototype.setStatus = function (text) {
    this.status.textContent = text || "";
    this.status.hidden = !text;
  };

  // ---- rendering -----------------------------------------------------------------------

  Widget.prototype.renderHistory = function () {
    this.log.textContent = "";
    if (this.config.greeting) {
      var greeting = this.log.appendChild(this.bubble("bot", this.config.greeting));
      greeting.dataset.kind = "text";
    }
    for (var i = 0; i < this.state.messages.length; i++) this.render(this.state.messages[i]);
  };

  Widget.prototype.bubble = function (from, text) {
    var node = el("div", "cw-msg cw-" + from, text);
    return node;
  };

  /* The time under a message: drawn by CSS from data-time, so a message's text stays its own. */
  Widget.prototype.stampTime = function (node, at) {
    if (!at) return;
    var when = new Date(at);
    node.dataset.time = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    node.title = when.toLocaleString();
  };

  /* Who is writing, above an agent's message: an avatar with their initial, and their name. */
  Widget.prototype.agentLabel = function (name) {
    var label = el("div", "cw-agent");
    var avatar = label.appendChild(el("span", "cw-avatar", name.charAt(0).toUpperCase()));
    avatar.setAttribute("aria-hidden", "true");
    label.appendChild(el("span", "cw-agent-name", name));
    return label;
  };

  /* "Sending…" under a user message until the server acknowledges it; "Not delivered" and a
     retry button if it does not. */
  Widget.prototype.deliveryLine = function (message) {
    var self = this;
    var line = (this.rows[message.id] = el("div", "cw-delivery"));
    line.dataset.for = message.id;
    line.setAttribute("aria-live", "polite");
    if (message.status === "sending") {
      line.textContent = "Sending\u2026";
    } else if (message.status === "failed") {
      line.classList.add("cw-error");
      line.appendChild(el("span", null, "Not delivered. "));
      var retry = line.appendChild(el("button", "cw-retry", "Retry"));
      retry.type = "button";
      retry.addEventListener("click", function () {
        self.retry(message.id);
      });
    }
    return line;
  };

  Widget.prototype.setDelivery = function (id, status, fresh) {
    var message = null;
    for (var i = this.state.messages.length - 1; i >= 0; i--) {
      if (this.state.messages[i].id === id) message = this.state.messages[i];
    }
    if (!message || message.status === status) return;
    if (status === "failed" && message.status === "sent") return; // its answer came live meanwhile
    message.status = status;
    if (fresh !== undefined) message.fresh = fresh;
    var old = this.rows[id];
    if (old && old.parentNode) old.parentNode.replaceChild(this.deliveryLine(message), old);
    this.save();
  };

  Widget.prototype.retry = function (id) {
    var message = null;
    this.state.messages.forEach(function (m) {
      if (m.id === id) message = m;
    });
    if (!message || message.status !== "failed") return;
    // A timed-out message may have been answered: sent again as a retry, the server replays
    // its replies. One the server failed on is sent as a new message.
    var item = { id: message.fresh ? newId() : id, message: message.payload || message.text, sent: !message.fresh };
    item.shownAs = id;
    this.state.outbox.push(item);
    this.setDelivery(id, "sending");
    this.flush();
  };

  Widget.prototype.safeUrl = function (url) {
    try {
      var resolved = new URL(String(url), this.assetBase);
      return resolved.protocol === "https:" || resolved.protocol === "http:" ? resolved.href : null;
    } catch (e) {
      return null;
    }
  };

  /* A safe subset of Markdown for the bot's and agents' text: **bold**, *italic*, `code`,
     [links](https://...) and bare http(s) links. Every piece becomes a DOM node made with
     textContent; a link is kept only if its URL is http(s) (never javascript: or data:), and
     opens in a new tab without access to this page. Anything else stays literal text. */
  var INLINE = /\*\*([^*\n]+)\*\*|\*([^*\n]+)\*|`([^`\n]+)`|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]'])/g;

  Widget.prototype.richText = function (node, text) {
    var at = 0;
    var match;
    INLINE.lastIndex = 0;
    while ((match = INLINE.exec(text))) {
      if (match.index > at) node.appendChild(document.createTextNode(text.slice(at, match.index)));
      var piece;
      if (match[1]) piece = el("strong", null, match[1]);
      else if (match[2]) piece = el("em", null, match[2]);
      else if (match[3]) piece = el("code", null, match[3]);
      else piece = this.link(match[4] || match[6], match[5] || match[6]);
      node.appendChild(piece);
      at = INLINE.lastIndex;
    }
    if (at < text.length) node.appendChild(document.createTextNode(text.slice(at)));
    return node;
  };

  Widget.prototype.link = function (label, url) {
    var href = /^https?:\/\//i.test(url) ? this.safeUrl(url) : null;
    if (!href) return document.createTextNode(label === url ? url : label + " (" + url + ")");
    var a = el("a", "cw-link", label);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  };

  Widget.prototype.render = function (message) {
    var node;
    if (message.kind === "image") {
      var src = this.safeUrl(message.src);
      if (!src) return;
      node = el("div", "cw-msg cw-bot cw-image");
      var img = el("img");
      img.src = src;
      img.alt = message.alt || "Image from " + this.config.title;
      img.addEventListener("load", this.scrollToEnd.bind(this));
      node.appendChild(img);
    } else if (message.kind === "cards") {
      node = this.renderCards(message.cards || []);
    } else {
      if (message.from === "bot") {
        node = this.richText(el("div", "cw-msg cw-bot"), String(message.text));
      } else {
        node = this.bubble(message.from, message.text);
      }
      if (message.from === "user") {
        node.dataset.id = message.id;
      }
    }
    node.dataset.kind = message.kind || "text";
    if (message.agent) {
      node.classList.add("cw-from-agent");
      this.log.appendChild(this.agentLabel(message.agent));
    }
    if (message.from !== "notice") this.stampTime(node, message.at);
    this.log.appendChild(node);
    if (message.from === "user") this.log.appendChild(this.deliveryLine(message));
    if (message.quickReplies && message.quickReplies.length) this.renderQuickReplies(message);
    this.scrollToEnd();
  };

  Widget.prototype.renderQuickReplies = function (message) {
    var self = this;
    var group = el("div", "cw-quick-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Suggested replies");
    message.quickReplies.forEach(function (reply) {
      var button = el("button", "cw-quick-reply", reply.title);
      button.type = "button";
      button.disabled = !!message.used;
      button.addEventListener("click", function () {
        if (message.used) return;
        message.used = true;
        Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) {
          b.disabled = true;
        });
        self.send(String(reply.payload || reply.title), String(reply.title));
        self.input.focus();
      });
      group.appendChild(button);
    });
    this.log.appendChild(group);
  };

  /* Once the customer has moved on (sent anything), older suggested replies stop working. */
  Widget.prototype.retireButtons = function () {
    var changed = false;
    this.state.messages.forEach(function (message) {
      if (message.quickReplies && !message.used) changed = message.used = true;
    });
    Array.prototype.forEach.call(this.log.querySelectorAll(".cw-quick-reply"), function (button) {
      button.disabled = true;
    });
    if (changed) this.save();
  };

  /* Prices are written one way everywhere: two decimals and the currency sign, as the bot's
     text writes them ("€49.90"). */
  Widget.prototype.formatPrice = function (amount, currency) {
    try {
      return new Intl.NumberFormat(this.config.locale, { style: "currency", currency: currency || "EUR" }).format(
        Number(amount)
      );
    } catch (e) {
      return String(amount) + " " + (currency || "");
    }
  };

  /* Product cards in a row that scrolls sideways, with arrows when they do not all fit, and a
     "View" link to each product's page. */
  Widget.prototype.renderCards = function (cards) {
    var self = this;
    var carousel = el("div", "cw-carousel");
    var list = carousel.appendChild(el("ul", "cw-cards"));
    list.setAttribute("aria-label", "Products");
    list.tabIndex = 0;
    cards.forEach(function (card) {
      var item = el("li", "cw-card");
      var src = card.image_url ? self.safeUrl(card.image_url) : null;
      if (src) {
        var img = el("img");
        img.src = src;
        img.alt = "";
        img.addEventListener("load", function () {
          self.scrollToEnd();
        });
        item.appendChild(img);
      }
      item.appendChild(el("p", "cw-card-name", card.name));
      if (card.price !== undefined && card.price !== null) {
        item.appendChild(el("p", "cw-card-price", self.formatPrice(card.price, card.currency)));
      }
      if (card.in_stock === false) item.appendChild(el("p", "cw-card-stock", "Out of stock"));
      if (card.reason) item.appendChild(el("p", "cw-card-reason", card.reason));
      var page = card.url || (self.config.productUrl && card.sku ? self.config.productUrl.replace("{sku}", encodeURIComponent(card.sku)) : null);
      var href = page ? self.safeUrl(page) : null;
      if (href) {
        var view = item.appendChild(el("a", "cw-card-view", "View"));
        view.href = href;
        view.target = "_blank";
        view.rel = "noopener noreferrer";
        view.setAttribute("aria-label", "View " + card.name);
      }
      list.appendChild(item);
    });
    function arrow(label, direction) {
      var button = el("button", "cw-arrow cw-arrow-" + (direction < 0 ? "prev" : "next")); // glyph from CSS
      button.type = "button";
      button.hidden = true;
      button.setAttribute("aria-label", label);
      button.addEventListener("click", function () {
        var card = list.querySelector(".cw-card");
        list.scrollBy({ left: direction * (card ? card.offsetWidth + 8 : 160), behavior: "smooth" });
      });
      return carousel.appendChild(button);
    }
    var prev = arrow("Previous products", -1);
    var next = arrow("Next products", 1);
    function update() {
      prev.hidden = list.scrollLeft <= 1;
      next.hidden = list.scrollLeft + list.clientWidth >= list.scrollWidth - 1;
    }
    list.addEventListener("scroll", update);
    setTimeout(update, 0);
    return carousel;
  };

  Widget.prototype.scrollToEnd = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  Widget.prototype.add = function (message) {
    this.state.messages.push(message);
    if (message.from === "bot" && this.panel.hidden) this.state.unread = (this.state.unread || 0) + 1;
    this.render(message);
    this.updateBadge();
    this.save();
  };

  // ---- sending ------------------------------------------------------------------------

  Widget.prototype.submit = function () {
    if (!this.updateCounter()) {
      this.input.focus();
      return;
    }
    var text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this.updateCounter();
    this.fitInput();
    this.send(text, text);
  };

  /* Show `shown` as the user's message and send `text` (a quick reply sends its payload). */
  Widget.prototype.send = function (text, shown) {
    if (text.length > this.config.maxLength) {
      this.setHint("Messages are limited to " + this.config.maxLength + " characters.", true);
      return;
    }
    this.retireButtons();
    var id = newId();
    this.add({ id: id, from: "user", kind: "text", text: shown, payload: text, at: Date.now(), status: "sending" });
    this.state.outbox.push({ id: id, message: text });
    this.save();
    if (!this.ready) this.setStatus(this.failures ? this.unreachableText() : "Connecting\u2026 your message will be sent.");
    this.flush();
  };

  Widget.prototype.token = function () {
    var source = this.config.customerToken;
    try {
      return Promise.resolve(typeof source === "function" ? source() : source).catch(function () {
        return null;
      });
    } catch (e) {
      return Promise.resolve(null);
    }
  };

  /* Send the oldest unsent message, one at a time, in order. The server acknowledges a
     message once it has answered it, with all its replies (which also arrive live, one by
     one, as "bot_uttered"; every reply has an id and is shown once). A message whose
     acknowledgement did not come before the connection dropped is sent again after
     reconnecting, marked as a retry: the server does not process it twice, it answers with
     the replies it already sent (and that may never have arrived). */
  Widget.prototype.flush = function () {
    if (!this.ready || this.inFlight || !this.state.outbox.length) return;
    var self = this;
    var item = this.state.outbox[0];
    var socket = this.socket;
    var attempt = (this.inFlight = { id: item.id });
    this.showTyping(true);
    this.token().then(function (token) {
      if (self.inFlight !== attempt || !self.ready) return; // disconnected meanwhile
      var metadata = {};
      metadata[PROTOCOL.MESSAGE_ID] = item.id;
      if (item.sent) metadata[PROTOCOL.RETRY] = true;
      if (token) metadata[PROTOCOL.CUSTOMER_TOKEN] = String(token);
      var data = { message: item.message, session_id: self.state.sessionId };
      data[PROTOCOL.METADATA_KEY] = metadata;
      item.sent = true;
      self.save();
      socket.timeout(self.config.ackTimeoutMs).emit(
        PROTOCOL.USER_UTTERED,
        data,
        function (error, ack) {
          // A connection that dropped before the answer leaves the message in the outbox:
          // it is sent again after reconnecting (see "disconnect").
          if (self.inFlight !== attempt) return;
          self.inFlight = null;
          self.state.outbox = self.state.outbox.filter(function (queued) {
            return queued.id !== item.id;
          });
          self.save();
          var shownAs = item.shownAs || item.id;
          if (error) {
            self.setDelivery(shownAs, "failed", false);
            self.add({ id: newId(), from: "notice", kind: "text", text: "No answer yet. Please try again in a moment." });
          } else if (ack && typeof ack === "object") {
            if (Array.isArray(ack.replies)) ack.replies.forEach(self.receive, self);
            if (ack.error === "message_too_long") {
              self.setDelivery(shownAs, "refused");
              self.add({ id: newId(), from: "notice", kind: "text", text: String(ack.message || "That message is too long.") });
            } else if (ack.error) {
              self.setDelivery(shownAs, "failed", true);
              self.add({
                id: newId(),
                from: "notice",
                kind: "text",
                text: "Sorry, something went wrong on our side and your message was not answered. Please try again.",
              });
            } else {
              self.setDelivery(shownAs, "sent");
            }
          }
          self.showTyping(!!self.state.outbox.length);
          self.flush();
        }
      );
    });
  };

  Widget.prototype.showTyping = function (visible) {
    this.typing.hidden = !visible;
    if (visible) this.scrollToEnd();
  };

  // ---- receiving ------------------------------------------------------------------------

  /* Show one reply (live or from an acknowledgement), unless its id was shown already. */
  Widget.prototype.receive = function (data) {
    if (!data || typeof data !== "object") return;
    var stamp = data[PROTOCOL.REPLY_METADATA];
    var replyId = stamp && typeof stamp === "object" ? stamp.id : null;
    if (typeof replyId === "string" && replyId) {
      if (this.state.seen.indexOf(replyId) !== -1) return;
      this.state.seen.push(replyId);
    }
    var agent = stamp && stamp.agent && stamp.agent.name ? String(stamp.agent.name) : null;
    var at = stamp && typeof stamp.at === "number" ? stamp.at * 1000 : Date.now();
    if (data.text || data.attachment || data.custom) this.noteSpeaker(agent);
    if (stamp && typeof stamp.reply_to === "string") this.setDelivery(stamp.reply_to, "sent"); // answered
    var quick = data.quick_replies || data.buttons;
    if (typeof data.text === "string" && data.text) {
      var message = { id: newId(), from: "bot", kind: "text", text: data.text, agent: agent, at: at };
      if (Array.isArray(quick) && quick.length) {
        message.quickReplies = quick
          .filter(function (b) {
            return b && (b.title || b.payload);
          })
          .map(function (b) {
            return { title: String(b.title || b.payload), payload: String(b.payload || b.title) };
          });
      }
      this.add(message);
    }
    var attachment = data.attachment;
    if (attachment && attachment.type === "image" && attachment.payload && attachment.payload.src) {
      this.add({ id: newId(), from: "bot", kind: "image", src: String(attachment.payload.src), agent: agent, at: at });
    }
    var custom = data.custom;
    if (custom && custom.type === PROTOCOL.PRODUCT_CARDS && Array.isArray(custom.cards)) {
      this.add({ id: newId(), from: "bot", kind: "cards", cards: custom.cards.slice(0, PROTOCOL.MAX_CARDS), at: at });
    }
  };

  /* Say when a person takes over the conversation, and when the assistant has it back. */
  Widget.prototype.noteSpeaker = function (agent) {
    if (agent && agent !== this.state.agent) {
      this.add({ id: newId(), from: "notice", kind: "text", text: agent + " from " + this.config.teamName + " joined" });
    } else if (!agent && this.state.agent) {
      this.add({ id: newId(), from: "notice", kind: "text", text: "You're back with the assistant" });
    }
    this.state.agent = agent;
  };

  /* The header promises a quick answer only while an agent is online (asked of the CRM). */
  Widget.prototype.checkAvailability = function () {
    var self = this;
    var url = this.config.statusUrl || BASE + "status";
    if (!window.fetch || !BASE && !this.config.statusUrl) return;
    window
      .fetch(url, { credentials: "omit" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        var online = !!(body && body.agents_online === true);
        self.subtitle.textContent = online && self.config.subtitle ? self.config.subtitle : self.config.offlineSubtitle;
        self.root.classList.toggle("cw-agents-online", online);
      })
      .catch(function () {
        /* unknown: keep the offline wording, which promises nothing */
      });
    clearTimeout(this.availabilityTimer);
    this.availabilityTimer = setTimeout(this.checkAvailability.bind(this), 60000);
  };

  // ---- connection ---------------------------------------------------------------------

  Widget.prototype.unreachableText = function () {
    return "The chat service can't be reached right now. We keep trying; your messages will be sent when it's back.";
  };

  Widget.prototype.connect = function () {
    var self = this;
    if (!window.io) {
      this.setStatus("The chat could not be loaded.");
      return;
    }
    var socket = (this.socket = window.io(this.config.socketUrl, {
      path: this.config.socketPath,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      timeout: 10000,
    }));
    /* The server issues the session and a proof that lets this browser (and only one that
       holds the proof) rejoin it after a reconnect; a session without its proof is not given. */
    socket.on("connect", function () {
      var request = { session_id: self.state.sessionId };
      request[PROTOCOL.SESSION_PROOF] = self.state.sessionProof;
      socket.emit(PROTOCOL.SESSION_REQUEST, request);
    });
    socket.on(PROTOCOL.SESSION_CONFIRM, function (data) {
      var sessionId = typeof data === "string" ? data : data && data.session_id;
      if (!sessionId) return;
      self.state.sessionId = sessionId;
      self.state.sessionProof = (data && data[PROTOCOL.SESSION_PROOF]) || null;
      self.ready = true;
      self.failures = 0;
      self.setStatus("");
      self.save();
      self.flush();
    });
    socket.on(PROTOCOL.BOT_UTTERED, function (data) {
      self.receive(data);
    });
    socket.on("disconnect", function () {
      self.ready = false;
      self.inFlight = null;
      self.showTyping(false);
      self.setStatus("Connection lost. Reconnecting\u2026");
    });
    socket.on("connect_error", function () {
      self.ready = false;
      self.inFlight = null;
      self.failures += 1;
      self.setStatus(self.unreachableText());
    });
  };

  /* Forget the conversation (e.g. when the shop's customer signs out). */
  Widget.prototype.reset = function () {
    this.state = {
      sessionId: null,
      sessionProof: null,
      messages: [],
      outbox: [],
      seen: [],
      open: !this.panel.hidden,
      unread: 0,
      agent: null,
    };
    this.save();
    this.renderHistory();
    if (this.socket) {
      this.ready = false;
      this.socket.disconnect().connect();
    }
  };

  // ---- bootstrapping --------------------------------------------------------------------

  function loadOnce(tag, attrs, test) {
    return new Promise(function (resolve, reject) {
      if (test && test()) return resolve();
      var node = document.createElement(tag);
      Object.keys(attrs).forEach(function (k) {
        node[k] = attrs[k];
      });
      node.onload = function () {
        resolve();
      };
      node.onerror = function () {
        reject(new Error("could not load " + (attrs.src || attrs.href)));
      };
      document.head.appendChild(node);
    });
  }

  var api = {
    instance: null,
    init: function (options) {
      var css = loadOnce("link", { rel: "stylesheet", href: BASE + "concierge-widget.css" }, function () {
        return document.querySelector('link[href$="concierge-widget.css"]');
      });
      var io = loadOnce("script", { src: BASE + "vendor/socket.io.min.js" }, function () {
        return !!window.io;
      });
      return Promise.all([io, css.catch(function () {})]).then(
        function () {
          api.instance = new Widget(options);
          return api.instance;
        },
        function (error) {
          api.instance = new Widget(options); // shows "could not be loaded"
          throw error;
        }
      );
    },
  };
  window.ConciergeWidget = api;

  function autoInit() {
    if (window.ConciergeWidgetConfig) api.init(window.ConciergeWidgetConfig);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoInit);
  else autoInit();
})();
