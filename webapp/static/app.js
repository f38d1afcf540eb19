/* Warta: small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  // Filters start folded on phones (the markup has them open for no-JS and desktop).
  var box = document.querySelector(".facet-box");
  if (box && window.matchMedia && window.matchMedia("(max-width: 47.99rem)").matches) {
    box.removeAttribute("open");
  }

  // "Kembali ke pencarian" returns to the exact search the reader came from.
  var back = document.querySelector(".back-link");
  if (back && document.referrer) {
    try {
      var ref = new URL(document.referrer);
      if (ref.origin === window.location.origin && ref.pathname === back.pathname) {
        back.href = ref.pathname + ref.search;
      }
    } catch (e) { /* ignore malformed referrer */ }
  }

  // The date fields' order follows the browser's language (hh/bb/tttt or mm/dd/yyyy): say the
  // chosen date in words beside each field, so a swapped day and month shows at once.
  // the names of indexer/datenames.py (tests/test_datenames.py keeps them equal)
  var DAYS = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"];
  var MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
                "September", "Oktober", "November", "Desember"];
  function inWords(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!m) { return ""; }
    var day = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return DAYS[day.getUTCDay()] + ", " + (+m[3]) + " " + MONTHS[+m[2] - 1] + " " + m[1];
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-date-echo]"), function (field) {
    var echo = document.getElementById(field.getAttribute("data-date-echo"));
    if (!echo) { return; }
    function update() { echo.textContent = inWords(field.value); }
    field.addEventListener("input", update);
    field.addEventListener("change", update);
  });
}());
