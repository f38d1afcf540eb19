/* /embed page: live snippet and preview for the options form. The page works without this file
   (the form is a GET form and the server writes the snippet); this keeps both in step as you type.
   Mirrors webapp/widget.py snippet(). */
(function () {
  "use strict";
  var form = document.getElementById("opsi-widget");
  var code = document.getElementById("kode-widget");
  var preview = document.getElementById("pratinjau-widget");
  if (!form || !code || !preview) { return; }
  var base = code.getAttribute("data-base") || location.origin;
  var ACCENT = /^#[0-9a-fA-F]{6}$/;

  function attr(value) {
    return String(value).replace(/&/g, "&amp;").replace(/"/g, "&quot;")
      .replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function read() {
    var data = new FormData(form);
    var limit = parseInt(data.get("limit"), 10);
    var sections = [];
    data.getAll("sections").forEach(function (value) {
      String(value).split(",").forEach(function (s) {
        s = s.trim();
        if (s && sections.indexOf(s) < 0) { sections.push(s); }
      });
    });
    var accent = String(data.get("accent") || "").trim();
    return {
      placeholder: String(data.get("placeholder") || "").trim().slice(0, 100),
      limit: limit >= 1 ? Math.min(limit, 20) : 5,
      sections: sections,
      lang: data.get("lang") === "en" ? "en" : "id",
      theme: /^(dark|auto)$/.test(data.get("theme")) ? data.get("theme") : "light",
      targetWindow: data.get("target_window") === "_blank" ? "_blank" : "_self",
      accent: ACCENT.test(accent) ? accent : ""
    };
  }

  function snippet(o) {
    var tag = ['<script src="' + attr(base) + '/widget.js" data-warta-target="#warta-search"'];
    if (o.placeholder) { tag.push('data-warta-placeholder="' + attr(o.placeholder) + '"'); }
    if (o.limit !== 5) { tag.push('data-warta-limit="' + o.limit + '"'); }
    if (o.sections.length) { tag.push('data-warta-sections="' + attr(o.sections.join(",")) + '"'); }
    if (o.lang !== "id") { tag.push('data-warta-lang="' + o.lang + '"'); }
    if (o.theme !== "light") { tag.push('data-warta-theme="' + o.theme + '"'); }
    if (o.targetWindow !== "_self") { tag.push('data-warta-target-window="' + o.targetWindow + '"'); }
    var style = o.accent ? ' style="--warta-accent: ' + o.accent + '"' : "";
    return '<div id="warta-search"' + style + "></div>\n" + tag.join(" ") + " async></" + "script>";
  }

  var shown = "";
  function update() {
    var o = read();
    code.textContent = snippet(o);
    if (o.accent) { preview.style.setProperty("--warta-accent", o.accent); }
    else { preview.style.removeProperty("--warta-accent"); }
    var key = JSON.stringify(o);
    if (key !== shown && window.WartaSearch) {
      shown = key;
      var typed = preview.shadowRoot && preview.shadowRoot.querySelector("input");
      var widget = window.WartaSearch.mount(preview, o);
      if (typed && typed.value) { widget.search(typed.value); }  // keep the preview's query
    }
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update();
    var params = new URLSearchParams(new FormData(form));
    history.replaceState(null, "", location.pathname + "?" + params.toString());
  });
  var accent = preview.getAttribute("data-accent");
  if (accent && ACCENT.test(accent)) { preview.style.setProperty("--warta-accent", accent); }
  shown = JSON.stringify(read());  // widget.js (loaded before this file) mounted these options

  var copy = document.getElementById("salin-kode");
  var note = document.getElementById("salin-status");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(code.textContent).then(function () {
        note.textContent = "Kode tersalin.";
      }, function () {
        note.textContent = "Gagal menyalin; pilih kodenya lalu salin manual.";
      });
    });
  }
}());
