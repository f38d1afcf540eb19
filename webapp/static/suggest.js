/* Warta: suggestions under the main search box, as a WAI-ARIA 1.2 combobox (list autocomplete with
   manual selection). Without this file the box is a plain search field that submits its form.

   Keys: ArrowDown/ArrowUp move through the suggestions (wrapping; Alt+ArrowDown only opens),
   Enter on a suggestion chooses it, Enter without one submits what was typed, Escape closes,
   Tab moves on. A word suggestion is searched for; an article title opens that article. */
(function () {
  "use strict";

  var input = document.querySelector("input[data-suggest]");
  if (!input || !input.form || !window.fetch) { return; }

  var DEBOUNCE_MS = 150;
  var MIN_CHARS = 2;
  var LIMIT = 8;
  var form = input.form;
  var box = input.parentNode;
  var listId = input.id + "-saran";
  var items = [];        // {text, kind, id, node}
  var active = -1;
  var timer = 0;
  var seq = 0;
  var controller = null;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text != null) { node.textContent = text; }
    return node;
  }

  var list = el("ul", { id: listId, role: "listbox", "class": "suggestions", "aria-label": "Saran pencarian" });
  list.hidden = true;
  var status = el("div", { role: "status", "class": "visually-hidden" });
  box.appendChild(list);
  box.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);

  function isOpen() { return !list.hidden; }

  function open() {
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    setActive(-1);
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function setActive(index) {
    if (items[active]) { items[active].node.setAttribute("aria-selected", "false"); }
    active = index;
    var item = items[active];
    if (item) {
      item.node.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", item.node.id);
      if (item.node.scrollIntoView) { item.node.scrollIntoView({ block: "nearest" }); }
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  var lastAnnounced = "";
  function announce(text) {
    // the same words twice in a row are not read again: vary them invisibly
    if (text && text === lastAnnounced.replace(/\u00a0$/, "")) { text += "\u00a0"; }
    lastAnnounced = text;
    status.textContent = text;
  }

  function articleUrl(id) {
    var base = input.getAttribute("data-article") || "";
    return base.replace(/ID$/, String(id).split("/").map(encodeURIComponent).join("/"));
  }

  function choose(index) {
    var item = items[index];
    if (!item) { return; }
    close();
    if (item.kind === "title" && item.id) {
      window.location.href = articleUrl(item.id);
      return;
    }
    input.value = item.text;
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  // "banjir bek" + "banjir bekasi": the typed part plain, the completion bold
  function label(node, text, typed) {
    if (typed && text.toLowerCase().indexOf(typed.toLowerCase()) === 0 && text.length > typed.length) {
      node.appendChild(document.createTextNode(text.slice(0, typed.length)));
      node.appendChild(el("b", null, text.slice(typed.length)));
    } else {
      node.appendChild(document.createTextNode(text));
    }
  }

  function render(typed, suggestions) {
    list.textContent = "";
    items = [];
    active = -1;
    input.removeAttribute("aria-activedescendant");
    suggestions.forEach(function (s) {
      if (!s || !s.text || (s.kind !== "title" && s.text.toLowerCase() === typed.toLowerCase())) { return; }
      var title = s.kind === "title" && s.id;
      var node = el("li", { id: listId + "-" + items.length, role: "option", "aria-selected": "false",
                            "class": title ? "suggestion suggestion-title" : "suggestion" });
      if (title) {
        node.appendChild(el("span", { "class": "suggestion-kind" }, "Artikel"));
        node.appendChild(document.createTextNode(" " + s.text));
      } else {
        label(node.appendChild(el("span")), s.text, typed);
      }
      list.appendChild(node);
      items.push({ text: s.text, kind: title ? "title" : "term", id: s.id, node: node });
    });
    if (items.length && document.activeElement === input) {
      open();
      announce(items.length + " saran tersedia. Pilih dengan panah atas atau bawah, lalu Enter.");
    } else {
      close();
      announce("");
    }
  }

  function cancel() {
    seq++;
    if (controller) { controller.abort(); }
    controller = null;
  }

  // Ask now; a newer request aborts the older one, and an answer to an older one is ignored.
  function fetchSuggestions() {
    clearTimeout(timer);
    var typed = input.value.trim();
    if (typed.length < MIN_CHARS) { return; }
    cancel();
    var mine = seq;
    controller = typeof AbortController === "function" ? new AbortController() : null;
    var url = input.getAttribute("data-suggest") + "?limit=" + LIMIT + "&q=" + encodeURIComponent(typed.slice(0, 100));
    fetch(url, { headers: { "Accept": "application/json" }, signal: controller ? controller.signal : undefined })
      .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
      .then(function (data) {
        if (mine === seq && input.value.trim() === typed) { render(typed, data.suggestions || []); }
      })
      .catch(function () { /* suggestions are optional */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    setActive(-1);     // Enter now means what was typed, not a suggestion for older text
    if (input.value.trim().length < MIN_CHARS) {
      cancel();
      render("", []);
      return;
    }
    timer = setTimeout(fetchSuggestions, DEBOUNCE_MS);
  });

  input.addEventListener("keydown", function (event) {
    var key = event.key;
    if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault();
      if (!isOpen()) {
        if (!items.length) { fetchSuggestions(); return; }
        open();
        if (event.altKey) { return; }
      }
      var n = items.length;
      if (!n) { return; }
      var next = key === "ArrowDown" ? active + 1 : (active < 0 ? n - 1 : active - 1);
      setActive((next + n) % n);
    } else if (key === "Enter") {
      if (event.isComposing) { return; }
      if (isOpen() && items[active]) {
        event.preventDefault();
        choose(active);
      } else {
        cancel();
        close();       // the form submits what was typed
      }
    } else if (key === "Escape") {
      if (isOpen()) {
        event.preventDefault();
        close();
      }
    } else if (key === "Tab") {
      close();
    }
  });

  input.addEventListener("blur", function () { cancel(); close(); });

  // a click or tap on a suggestion keeps the focus in the box and chooses it
  list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  list.addEventListener("click", function (event) {
    var node = event.target.closest ? event.target.closest("[role=option]") : null;
    for (var i = 0; node && i < items.length; i++) {
      if (items[i].node === node) { choose(i); return; }
    }
  });
}());
