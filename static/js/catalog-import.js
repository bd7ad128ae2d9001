// Catalogue import progress: poll the status endpoint every second, update the <progress>, and
// reload the page (which then shows the report) when the import has finished.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.dataset.finished === "1") { return; }
  var bar = document.getElementById("import-bar");
  var count = document.getElementById("import-count");
  var total = document.getElementById("import-total");
  var status = document.getElementById("import-status");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        bar.max = Math.max(s.total, 1);
        bar.value = s.finished ? bar.max : s.processed;
        count.textContent = s.processed;
        total.textContent = s.total;
        status.textContent = s.status_label;
        if (s.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
