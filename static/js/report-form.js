// Progressive enhancement of the report form. Without this file the form works completely:
// rows are added by a round trip to the server, and the server checks every limit.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }

  // Character count for the description.
  var description = document.getElementById("description");
  var counter = document.getElementById("description-count");
  if (description && counter) {
    var min = parseInt(description.dataset.min, 10);
    var max = parseInt(description.dataset.max, 10);
    var update = function () {
      var count = description.value.trim().length;
      counter.textContent = counter.dataset.template.replace("__COUNT__", count.toLocaleString(counter.dataset.locale || undefined));
      counter.classList.toggle("too-short", count > 0 && count < min);
      counter.classList.toggle("too-long", count > max);
    };
    counter.hidden = false;
    description.addEventListener("input", update);
    update();
  }

  // Suspect rows: add and remove on the page, renumbering names so the server sees suspects-0..N.
  var list = document.getElementById("suspect-rows");
  var addButton = document.getElementById("add-suspect");
  var maxRows = list ? parseInt(list.dataset.max, 10) : 0;
  var renumber = function () {
    var rows = list.querySelectorAll(".suspect-row");
    rows.forEach(function (row, index) {
      row.dataset.index = index;
      row.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(/suspects-\d+-/, "suspects-" + index + "-")); }
        });
      });
      row.querySelector(".remove-suspect").hidden = rows.length < 2;
    });
    addButton.disabled = rows.length >= maxRows;
  };
  if (list && addButton) {
    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      var rows = list.querySelectorAll(".suspect-row");
      if (rows.length >= maxRows) { return; }
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelectorAll("input").forEach(function (input) { input.value = ""; input.removeAttribute("aria-invalid"); });
      copy.querySelectorAll(".field-errors").forEach(function (el) { el.remove(); });
      copy.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
      list.appendChild(copy);
      renumber();
      copy.querySelector("select").focus();
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest(".remove-suspect");
      if (!button) { return; }
      button.closest(".suspect-row").remove();
      renumber();
      addButton.focus();
    });
    renumber();
  }

  // Reporter details hide when the citizen chooses anonymity; the server ignores them then anyway.
  var anonymous = document.getElementById("anonymous");
  var details = document.getElementById("reporter-details");
  if (anonymous && details) {
    var toggle = function () { details.hidden = anonymous.checked; };
    anonymous.addEventListener("change", toggle);
    toggle();
  }

  // Urgent categories bring the emergency numbers forward; child exploitation hides the upload.
  var emergency = document.getElementById("emergency-box");
  var evidence = document.getElementById("evidence-field");
  var onCategory = function () {
    var chosen = form.querySelector("input[name=category]:checked");
    var urgent = chosen && chosen.dataset.urgent === "true";
    var noFiles = chosen && chosen.dataset.evidence === "false";
    if (emergency) { emergency.classList.toggle("emergency-compact", !urgent); }
    if (evidence) {
      var input = evidence.querySelector("input[type=file]");
      input.disabled = !!noFiles;
      if (noFiles) { input.value = ""; }
      evidence.classList.toggle("files-refused", !!noFiles);
    }
  };
  form.querySelectorAll("input[name=category]").forEach(function (radio) { radio.addEventListener("change", onCategory); });
  onCategory();

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
