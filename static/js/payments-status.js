// payments: while a VietQR transfer waits for reconciliation, check its status and reload when it changes.
(function () {
  "use strict";
  var box = document.getElementById("vietqr");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var tries = 0;
  function check() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.status && data.status !== "pending" && data.status !== "created") {
          window.location.reload();
        } else if (tries < 60) {
          window.setTimeout(check, 15000);
        }
      })
      .catch(function () { if (tries < 60) { window.setTimeout(check, 30000); } });
  }
  window.setTimeout(check, 15000);
})();
