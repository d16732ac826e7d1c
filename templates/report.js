// Filters for the schemagate report. Without scripting the form stays hidden and every
// finding is shown.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (form === null) {
    return;
  }
  var findings = document.querySelectorAll(".finding");
  var files = document.querySelectorAll("section.file");
  var shown = document.getElementById("shown");
  function checked(name) {
    var values = [];
    form.querySelectorAll('input[name="' + name + '"]:checked').forEach(function (input) {
      values.push(input.value);
    });
    return values;
  }
  function apply() {
    var severities = checked("severity");
    var categories = checked("category");
    var statuses = checked("status");
    var rule = form.elements.rule.value;
    var file = form.elements.file.value;
    var count = 0;
    findings.forEach(function (item) {
      var data = item.dataset;
      var visible = severities.indexOf(data.severity) >= 0 &&
        categories.indexOf(data.category) >= 0 &&
        statuses.indexOf(data.status) >= 0 &&
        (rule === "" || data.rule === rule) &&
        (file === "" || data.file === file);
      item.hidden = !visible;
      if (visible) {
        count += 1;
      }
    });
    files.forEach(function (section) {
      section.hidden = section.querySelector(".finding:not([hidden])") === null;
    });
    shown.textContent = count + " of " + findings.length + " findings shown";
  }
  form.addEventListener("change", apply);
  document.getElementById("show-all").addEventListener("click", function () {
    form.reset();
    apply();
  });
  form.hidden = false;
  apply();
})();
