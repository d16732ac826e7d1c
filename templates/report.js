// Filters for the schemagate report. Without scripting the form stays hidden and every
// finding is shown. With it, only new findings are shown at first; the filter state lives
// in the URL's hash (#filter=…), so a link or a reload keeps it, and the counts follow it.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (form === null) {
    return;
  }
  var findings = document.querySelectorAll(".finding");
  var sections = document.querySelectorAll("section.severity");
  var cells = document.querySelectorAll("[data-count-status]");
  var shown = document.getElementById("shown");
  var PREFIX = "#filter=";
  function checked(name) {
    var values = [];
    form.querySelectorAll('input[name="' + name + '"]:checked').forEach(function (input) {
      values.push(input.value);
    });
    return values;
  }
  // The form as a hash: severity=error,warning&status=new&rule=…&file=…
  function state() {
    var parts = [];
    ["severity", "category", "status"].forEach(function (name) {
      parts.push(name + "=" + checked(name).map(encodeURIComponent).join(","));
    });
    ["rule", "file"].forEach(function (name) {
      if (form.elements[name].value !== "") {
        parts.push(name + "=" + encodeURIComponent(form.elements[name].value));
      }
    });
    return PREFIX + parts.join("&");
  }
  function restore(hash) {
    if (hash.indexOf(PREFIX) !== 0) {
      return;
    }
    // What the hash leaves out is as on a fresh load, whatever the previous hash chose.
    form.reset();
    var values = {};
    hash.slice(PREFIX.length).split("&").forEach(function (part) {
      var pair = part.split("=");
      values[pair[0]] = (pair[1] || "").split(",").map(decodeURIComponent);
    });
    ["severity", "category", "status"].forEach(function (name) {
      if (values[name] === undefined) {
        return;
      }
      form.querySelectorAll('input[name="' + name + '"]').forEach(function (input) {
        input.checked = values[name].indexOf(input.value) >= 0;
      });
    });
    ["rule", "file"].forEach(function (name) {
      form.elements[name].value = values[name] === undefined ? "" : values[name][0];
    });
  }
  function apply(remember) {
    var severities = checked("severity");
    var categories = checked("category");
    var statuses = checked("status");
    var rule = form.elements.rule.value;
    var file = form.elements.file.value;
    var count = 0;
    var visible = [];
    findings.forEach(function (item) {
      var data = item.dataset;
      var show = severities.indexOf(data.severity) >= 0 &&
        categories.indexOf(data.category) >= 0 &&
        statuses.indexOf(data.status) >= 0 &&
        (rule === "" || data.rule === rule) &&
        (file === "" || data.file === file);
      item.hidden = !show;
      if (show) {
        count += 1;
        visible.push(data);
      }
    });
    sections.forEach(function (section) {
      var left = section.querySelectorAll(".finding:not([hidden])").length;
      section.hidden = left === 0;
      section.querySelector("[data-section-count]").textContent = left;
    });
    // Counts of what the filters show.
    cells.forEach(function (cell) {
      var want = cell.dataset;
      cell.textContent = visible.filter(function (data) {
        return data.status === want.countStatus &&
          (want.countSeverity === undefined || data.severity === want.countSeverity) &&
          (want.countCategory === undefined || data.category === want.countCategory);
      }).length;
    });
    shown.textContent = count + " of " + findings.length + " findings shown";
    if (remember && window.history && window.history.replaceState) {
      window.history.replaceState(null, "", state());
    }
  }
  form.addEventListener("change", function () {
    apply(true);
  });
  function tick(selector) {
    form.querySelectorAll(selector).forEach(function (input) {
      input.checked = true;
    });
  }
  document.getElementById("show-all").addEventListener("click", function () {
    tick('input[type="checkbox"]');
    form.elements.rule.value = "";
    form.elements.file.value = "";
    apply(true);
  });
  document.getElementById("only-new").addEventListener("click", function () {
    form.reset();
    apply(true);
  });
  // "Jump to the errors": the new errors shown (the filters may have hidden them), then
  // scrolled to, with the filter state kept in the hash instead of "#errors".
  var jump = document.querySelector("a.jump");
  var errors = document.getElementById("errors");
  if (jump !== null && errors !== null) {
    jump.addEventListener("click", function (event) {
      event.preventDefault();
      tick('input[name="severity"][value="error"], input[name="status"][value="new"]');
      apply(true);
      if (errors.hidden) {
        tick('input[name="category"]');
        form.elements.rule.value = "";
        form.elements.file.value = "";
        apply(true);
      }
      errors.scrollIntoView();
    });
  }
  window.addEventListener("hashchange", function () {
    restore(window.location.hash);
    apply(false);
  });
  restore(window.location.hash);
  form.hidden = false;
  apply(false);
})();
