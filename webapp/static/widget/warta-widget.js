/*! Warta search widget. Guide: docs/widget.md. The only global is window.WartaSearch. */
(function (window, document) {
  "use strict";

  if (window.WartaSearch && window.WartaSearch.scan) {  // loaded twice: just mount the new tags
    window.WartaSearch.scan();
    return;
  }

  var CSS = "__WARTA_CSS__";  // webapp/widget.py puts warta-widget.css here
  var DEBOUNCE_MS = 200;
  var MIN_CHARS = 2;
  var MAX_SECTION_CHIPS = 6;
  var SCRIPT_RE = /\/widget\.js(?:[?#].*)?$/;
  var SHADOW_TAGS = /^(article|aside|blockquote|body|div|footer|h[1-6]|header|main|nav|p|section|span)$/;

  var TEXT = {
    id: {
      placeholder: "Cari berita…", label: "Cari berita di Warta", results: "Hasil pencarian",
      sections: "Saring menurut rubrik", suggest: "Saran:", loading: "Mencari…",
      error: "Tidak dapat menghubungi Warta. Coba lagi nanti.", retry: "Coba lagi",
      empty: "Tidak ada hasil untuk “{q}”.", count: "{n} hasil", all: "Lihat semua hasil",
      untitled: "Tanpa judul", sep: ".",
      months: ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
               "September", "Oktober", "November", "Desember"]
    },
    en: {
      placeholder: "Search news…", label: "Search news on Warta", results: "Search results",
      sections: "Filter by section", suggest: "Suggestions:", loading: "Searching…",
      error: "Could not reach Warta. Please try again later.", retry: "Try again",
      empty: "No results for “{q}”.", count: "{n} results", all: "See all results",
      untitled: "Untitled", sep: ",",
      months: ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]
    }
  };

  // ------------------------------------------------------------------ helpers

  function findScript() {
    var scripts = document.getElementsByTagName("script");
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (SCRIPT_RE.test(scripts[i].src)) { return scripts[i]; }
    }
    return null;
  }

  // Captured now: document.currentScript is only set while this file runs (null later, and null
  // for some loaders); then the last <script src=".../widget.js"> is ours.
  var ownScript = document.currentScript || findScript();
  var defaultBase = scriptBase(ownScript) || (location.origin + "/");

  function scriptBase(script) {
    if (!script || !script.src) { return ""; }
    try { return new URL(".", script.src).href; } catch (e) { return ""; }
  }

  function httpUrl(value) {
    try {
      var url = new URL(value, document.baseURI);
      return /^https?:$/.test(url.protocol) ? url : null;
    } catch (e) { return null; }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) {
      if (attrs[name] != null) { node.setAttribute(name, attrs[name]); }
    }
    if (text != null) { node.textContent = text; }
    return node;
  }

  // Server HTML (snippet, title_html) is escaped text with <mark> only. Still: parse it inert in a
  // <template> and copy over text nodes and bare <mark> elements only; everything else is dropped.
  function appendMarked(target, html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = String(html);
    (function copy(from, to) {
      for (var node = from.firstChild; node; node = node.nextSibling) {
        if (node.nodeType === 3) {
          to.appendChild(document.createTextNode(node.data));
        } else if (node.nodeType === 1 && node.localName === "mark") {
          copy(node, to.appendChild(document.createElement("mark")));
        }
      }
    }(tpl.content, target));
  }

  function formatDate(iso, t) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    return m && t.months[+m[2] - 1] ? (+m[3]) + " " + t.months[+m[2] - 1] + " " + m[1] : "";
  }

  function formatNumber(n, t) {
    return String(Math.max(0, Math.floor(+n || 0))).replace(/\B(?=(\d{3})+(?!\d))/g, t.sep);
  }

  function options(raw, base) {
    raw = raw || {};
    var lang = raw.lang === "en" ? "en" : "id";
    var sections = Array.isArray(raw.sections) ? raw.sections : String(raw.sections || "").split(",");
    var api = httpUrl(raw.api || base || defaultBase) || httpUrl(defaultBase);
    var limit = parseInt(raw.limit, 10);
    return {
      api: api.href.replace(/\/*$/, "/"),
      lang: lang,
      placeholder: raw.placeholder ? String(raw.placeholder) : TEXT[lang].placeholder,
      limit: limit >= 1 ? Math.min(limit, 20) : 5,
      sections: sections.map(function (s) { return String(s).trim(); }).filter(Boolean),
      theme: /^(light|dark|auto)$/.test(raw.theme) ? raw.theme : "light",
      targetWindow: raw.targetWindow === "_blank" ? "_blank" : "_self"
    };
  }

  var OPTION_ATTRS = { api: "api", placeholder: "placeholder", limit: "limit", sections: "sections",
                       lang: "lang", theme: "theme", targetWindow: "target-window" };

  // Options from data-warta-* attributes (also plain attributes on <warta-search>).
  function optionsFromAttributes(node) {
    var raw = {};
    var plain = node.localName === "warta-search";
    for (var key in OPTION_ATTRS) {
      var value = node.getAttribute("data-warta-" + OPTION_ATTRS[key]);
      if (value == null && plain) { value = node.getAttribute(OPTION_ATTRS[key]); }
      if (value != null) { raw[key] = value; }
    }
    return raw;
  }

  var sheet;
  function adoptStyles(root) {
    if (sheet === undefined) {
      try { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); } catch (e) { sheet = null; }
    }
    if (sheet && "adoptedStyleSheets" in root) {
      root.adoptedStyleSheets = [sheet];  // not subject to the host page's style-src CSP
    } else {
      root.appendChild(el("style", null, CSS));
    }
  }

  // ------------------------------------------------------------------ one widget

  var counter = 0;
  var instances = new WeakMap();  // target element -> mounted widget

  function Widget(host, root, opts) {
    var t = TEXT[opts.lang];
    var uid = "warta" + (++counter);
    var selected = opts.sections.slice();
    var hits = [];
    var active = -1;
    var timer = 0;
    var seq = 0;
    var controller = null;
    var lastQuery = null;
    var destroyed = false;

    var wrap = el("div", { "class": "w", "data-theme": opts.theme, part: "widget" });
    var input = el("input", {
      type: "search", role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
      "aria-controls": uid + "-list", "aria-label": t.label, placeholder: opts.placeholder,
      autocomplete: "off", autocapitalize: "off", spellcheck: "false", enterkeyhint: "search",
      maxlength: "500", "class": "q", part: "input"
    });
    var panel = el("div", { "class": "p", hidden: "" });
    var suggest = el("div", { "class": "sg", hidden: "" });
    var chips = el("div", { "class": "ch", role: "group", "aria-label": t.sections, hidden: "" });
    var status = el("div", { "class": "st", role: "status", "aria-live": "polite" });
    var retry = el("button", { type: "button", "class": "rt", hidden: "" }, t.retry);
    var list = el("ul", { "class": "l", role: "listbox", id: uid + "-list", "aria-label": t.results });
    var all = el("a", { "class": "all", hidden: "" });
    if (opts.targetWindow === "_blank") {
      all.target = "_blank";
      all.rel = "noopener";
    }
    panel.append(suggest, chips, status, retry, list, all);
    wrap.append(input, panel);
    root.appendChild(wrap);

    function isOpen() { return !panel.hidden; }

    function open() {
      panel.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      panel.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function setActive(index) {
      if (hits[active]) { hits[active].option.setAttribute("aria-selected", "false"); }
      active = index;
      var hit = hits[active];
      if (hit) {
        hit.option.setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", hit.option.id);
        if (hit.option.scrollIntoView) { hit.option.scrollIntoView({ block: "nearest" }); }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function setStatus(text, kind) {
      status.textContent = text;
      status.className = "st" + (kind ? " " + kind : "");
      retry.hidden = kind !== "err";
      list.setAttribute("aria-busy", kind === "busy" ? "true" : "false");
    }

    function searchUrl(path, q) {
      var query = "?q=" + encodeURIComponent(q);
      selected.forEach(function (s) { query += "&section=" + encodeURIComponent(s); });
      return opts.api + path + query;
    }

    function getJSON(url, signal) {
      return fetch(url, { signal: signal, credentials: "omit", mode: "cors" }).then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      });
    }

    function clearResults() {
      hits = [];
      active = -1;
      list.textContent = "";
      suggest.hidden = chips.hidden = all.hidden = true;
      input.removeAttribute("aria-activedescendant");
    }

    function schedule() {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < MIN_CHARS) {
        cancel();
        lastQuery = null;
        clearResults();
        setStatus("");
        close();
        return;
      }
      timer = setTimeout(run, DEBOUNCE_MS);
    }

    function cancel() {
      seq++;
      if (controller) { controller.abort(); }
      controller = null;
    }

    // Search now. A newer search aborts the older request, and a response that still arrives for
    // an older sequence number is ignored, so results always belong to the latest query.
    function run() {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < MIN_CHARS || destroyed) { return; }
      cancel();
      var mine = seq;
      controller = typeof AbortController === "function" ? new AbortController() : null;
      var signal = controller ? controller.signal : undefined;
      lastQuery = q;
      open();
      setStatus(t.loading, "busy");
      getJSON(searchUrl("api/search", q) + "&per_page=" + opts.limit, signal).then(function (data) {
        if (mine === seq && !destroyed) { render(q, data); }
      }, function (err) {
        if (mine !== seq || destroyed || (err && err.name === "AbortError")) { return; }
        clearResults();
        setStatus(t.error, "err");
      });
      getJSON(opts.api + "api/suggest?limit=4&q=" + encodeURIComponent(q), signal).then(function (data) {
        if (mine === seq && !destroyed) { renderSuggestions(q, data); }
      }, function () { /* suggestions are optional */ });
    }

    function renderSuggestions(q, data) {
      suggest.textContent = "";
      var terms = (data && data.suggestions || []).filter(function (s) {
        return s && s.kind === "term" && s.text && s.text.toLowerCase() !== q.toLowerCase();
      }).slice(0, 3);
      if (!terms.length) { suggest.hidden = true; return; }
      suggest.appendChild(el("span", null, t.suggest));
      terms.forEach(function (s) {
        var button = el("button", { type: "button" }, s.text);
        button.addEventListener("click", function () {
          input.value = s.text;
          input.focus();
          run();
        });
        suggest.appendChild(button);
      });
      suggest.hidden = false;
    }

    function renderChips(data) {
      chips.textContent = "";
      var facets = (data.facets && data.facets.section || []).filter(function (f) { return f && f.value; });
      var shown = facets.filter(function (f, i) {
        return i < MAX_SECTION_CHIPS || selected.indexOf(f.value) >= 0;
      });
      selected.forEach(function (value) {  // a chosen section with no matches stays removable
        if (!shown.some(function (f) { return f.value === value; })) { shown.push({ value: value, count: 0 }); }
      });
      shown.forEach(function (f) {
        var on = selected.indexOf(f.value) >= 0;
        var chip = el("button", { type: "button", "class": "c", "aria-pressed": on ? "true" : "false",
                                  "data-section": f.value }, f.label || f.value);
        chip.appendChild(el("span", { "class": "n" }, formatNumber(f.count, t)));
        chip.addEventListener("click", function () {
          var at = selected.indexOf(f.value);
          if (at >= 0) { selected.splice(at, 1); } else { selected.push(f.value); }
          run();
        });
        chips.appendChild(chip);
      });
      chips.hidden = !shown.length;
    }

    function linkFor(hit) {
      var link = typeof hit.link === "string" && /^https?:\/\//i.test(hit.link) ? hit.link : "";
      return link || opts.api + "artikel/" + encodeURIComponent(hit.id || "");
    }

    function render(q, data) {
      clearResults();
      wrap.setAttribute("data-query", q);
      var results = data && Array.isArray(data.results) ? data.results : [];
      results.forEach(function (hit, i) {
        var id = uid + "-o" + i;
        var option = el("li", { role: "option", id: id, "aria-selected": "false", "class": "o",
                                "aria-labelledby": id + "-t", "aria-describedby": id + "-m" });
        var link = el("a", { href: linkFor(hit), tabindex: "-1", id: id + "-t", "class": "t" });
        if (opts.targetWindow === "_blank") {
          link.target = "_blank";
          link.rel = "noopener";
        }
        if (hit.title_html) { appendMarked(link, hit.title_html); } else { link.textContent = hit.title || t.untitled; }
        var meta = [hit.outlet, hit.section, formatDate(hit.published, t)].filter(Boolean).join(" · ");
        option.append(link, el("div", { id: id + "-m", "class": "m" }, meta));
        if (hit.snippet) {
          var snippet = el("div", { "class": "s" });
          appendMarked(snippet, hit.snippet);
          option.appendChild(snippet);
        }
        option.addEventListener("click", function (event) {
          if (event.target !== link && !link.contains(event.target)) { link.click(); }
        });
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        list.appendChild(option);
        hits.push({ option: option, link: link });
      });
      renderChips(data || {});
      var total = data && +data.total || 0;
      setStatus(total ? t.count.replace("{n}", formatNumber(total, t)) : t.empty.replace("{q}", q));
      if (total) {
        all.href = searchUrl("", q);
        all.textContent = t.all + (total > hits.length ? " (" + formatNumber(total, t) + ")" : "") + " →";
        all.hidden = false;
      }
      open();
    }

    function onKeydown(event) {
      event.stopPropagation();  // keep host-page keyboard shortcuts out of our text box
      var key = event.key;
      if (key === "ArrowDown" || key === "ArrowUp") {
        event.preventDefault();
        if (!isOpen()) {
          if (hits.length) { open(); } else { run(); }
          if (key === "ArrowUp" || !hits.length) { return; }
        }
        var next = active + (key === "ArrowDown" ? 1 : -1);
        setActive(next >= hits.length ? hits.length - 1 : next < -1 ? -1 : next);
      } else if (key === "Enter") {
        if (event.isComposing) { return; }
        event.preventDefault();
        if (isOpen() && hits[active]) {
          hits[active].link.click();
        } else if (input.value.trim() !== lastQuery || !isOpen()) {
          run();
        }
      } else if (key === "Escape") {
        if (isOpen()) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          schedule();
        }
      }
    }

    function stop(event) { event.stopPropagation(); }

    function onFocus() {
      if (!isOpen() && lastQuery !== null && lastQuery === input.value.trim()) { open(); }
    }

    // Close when focus or a click goes elsewhere on the page.
    function inside(node) { return node === host || host.contains(node) || root.contains(node); }
    function onFocusout(event) {
      if (event.relatedTarget && !inside(event.relatedTarget)) { close(); }
    }
    function onPointerdown(event) {
      var path = event.composedPath ? event.composedPath() : [event.target];
      if (path.indexOf(host) < 0) { close(); }
    }

    input.addEventListener("input", schedule);
    input.addEventListener("keydown", onKeydown);
    input.addEventListener("keypress", stop);
    input.addEventListener("keyup", stop);
    input.addEventListener("focus", onFocus);
    retry.addEventListener("click", run);
    wrap.addEventListener("focusout", onFocusout);
    document.addEventListener("pointerdown", onPointerdown, true);

    return {
      element: host,
      input: input,
      search: function (q) {
        input.value = q == null ? "" : String(q);
        if (input.value.trim().length >= MIN_CHARS) { run(); } else { schedule(); }
      },
      destroy: function () {
        destroyed = true;
        clearTimeout(timer);
        cancel();
        document.removeEventListener("pointerdown", onPointerdown, true);
        if (wrap.parentNode) { wrap.parentNode.removeChild(wrap); }
      }
    };
  }

  // ------------------------------------------------------------------ public API

  var roots = new WeakMap();      // target element -> {host, root}: shadow roots cannot be removed

  function mount(target, raw, base) {
    var node = typeof target === "string" ? document.querySelector(target) : target;
    if (!node || node.nodeType !== 1) { throw new Error("WartaSearch.mount: target element not found"); }
    var previous = instances.get(node);
    if (previous) { previous.destroy(); }
    var place = roots.get(node);
    if (!place) {
      var host = node;
      if (node.shadowRoot || !(SHADOW_TAGS.test(node.localName) || node.localName.indexOf("-") > 0)) {
        // the element cannot take (or already has someone else's) shadow root: use a child
        host = node.appendChild(el("div"));
      }
      place = { host: host, root: host.attachShadow({ mode: "open" }) };
      roots.set(node, place);
    }
    place.root.textContent = "";
    adoptStyles(place.root);
    var instance = new Widget(place.host, place.root, options(raw, base));
    var destroy = instance.destroy;
    instance.destroy = function () {
      destroy();
      if (instances.get(node) === instance) { instances.delete(node); }
    };
    instances.set(node, instance);
    return instance;
  }

  // Mount every <script src=".../widget.js" data-warta-target="..."> not mounted yet.
  var done = [];
  function scan() {
    var scripts = document.querySelectorAll("script[data-warta-target]");
    for (var i = 0; i < scripts.length; i++) {
      var script = scripts[i];
      if (!SCRIPT_RE.test(script.src) || done.indexOf(script) >= 0) { continue; }
      done.push(script);
      var targets = document.querySelectorAll(script.getAttribute("data-warta-target"));
      if (!targets.length && window.console) {
        console.warn("WartaSearch: no element matches " + script.getAttribute("data-warta-target"));
      }
      for (var j = 0; j < targets.length; j++) {
        mount(targets[j], optionsFromAttributes(script), scriptBase(script));
      }
    }
  }

  window.WartaSearch = {
    version: "1.0",
    mount: function (target, opts) { return mount(target, opts); },
    scan: scan
  };

  if (window.customElements && !window.customElements.get("warta-search")) {
    var WartaSearchElement = class extends HTMLElement {
      connectedCallback() {
        this.__warta = mount(this, optionsFromAttributes(this));
      }
      disconnectedCallback() {
        if (this.__warta) { this.__warta.destroy(); }
        this.__warta = null;
      }
    };
    window.customElements.define("warta-search", WartaSearchElement);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", scan);
  } else {
    scan();
  }
}(window, document));
