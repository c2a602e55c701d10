// Polls a PDF render request until it is done or failed; asked for with one click
// (data-download), the download starts by itself once the file is ready.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var delay = 1000;
  var download = box.hasAttribute("data-download");
  function show(sel, on) {
    var el = box.querySelector(sel);
    if (el) el.hidden = !on;
  }
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        box.querySelector("[data-status-label]").textContent = s.label;
        show("[data-status-wait]", !s.finished);
        if (s.url) {
          box.querySelector("[data-status-link]").href = s.url;
          show("[data-status-done]", true);
          if (download) {
            download = false;
            window.location.assign(s.url);
          }
        }
        if (s.error) {
          box.querySelector("[data-status-message]").textContent = s.error;
          show("[data-status-error]", true);
        }
        if (!s.finished) {
          delay = Math.min(delay * 1.5, 5000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 500);
})();
