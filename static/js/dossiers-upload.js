// Dossier upload forms: list the chosen files with their sizes and warn early about a file that is
// too large or of the wrong kind. Only a convenience: the server checks every file's real content.
(function () {
  "use strict";
  var MAX_BYTES = 10 * 1024 * 1024;
  var OK = /\.(pdf|jpe?g|png)$/i;

  function human(bytes) {
    if (bytes >= 1024 * 1024) { return (bytes / 1024 / 1024).toFixed(1) + " MB"; }
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function describe(input) {
    var box = input.parentNode.querySelector(".chosen-files");
    if (!box) {
      box = document.createElement("ul");
      box.className = "chosen-files";
      box.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", box);
    }
    box.textContent = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      var li = document.createElement("li");
      var problem = "";
      if (!OK.test(file.name)) { problem = " – chỉ nhận tệp PDF, JPG, PNG"; }
      else if (file.size > MAX_BYTES) { problem = " – tệp lớn hơn 10 MB"; }
      li.textContent = file.name + " (" + human(file.size) + ")" + problem;
      if (problem) { li.className = "error"; }
      box.appendChild(li);
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.type === "file") { describe(input); }
  });
})();
