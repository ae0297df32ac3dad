(function () {
  "use strict";
  var box = document.getElementById("groups");
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.group"));
  // Groups past the page's cap are table rows; they filter and sort alike.
  var restBox = document.getElementById("rest-rows");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.group-row"));
  var total = groups.length + rows.length;
  var controls = {
    rule: document.getElementById("f-rule"),
    severity: document.getElementById("f-severity"),
    table: document.getElementById("f-table"),
    sort: document.getElementById("sort")
  };
  var counter = document.getElementById("visible-count");

  // State lives in the URL hash (#severity=error&sort=count) so a filtered
  // view can be linked to, and reopened, from disk.
  function readHash() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) {
        try { out[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1)); } catch (e) { /* ignore a malformed hash */ }
      }
    });
    return out;
  }

  function writeHash() {
    var parts = [];
    Object.keys(controls).forEach(function (k) {
      var c = controls[k];
      if (c && c.value && !(k === "sort" && c.value === "severity")) {
        parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(c.value));
      }
    });
    var theme = document.documentElement.getAttribute("data-theme");
    if (theme) { parts.push("theme=" + encodeURIComponent(theme)); }
    try { history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search); } catch (e) { /* file:// in some browsers */ }
  }

  function num(g, k) { return Number(g.getAttribute("data-" + k)) || 0; }

  var sorters = {
    severity: function (a, b) { return num(b, "sev") - num(a, "sev") || num(b, "count") - num(a, "count"); },
    count: function (a, b) { return num(b, "count") - num(a, "count") || num(b, "sev") - num(a, "sev"); },
    last: function (a, b) { return num(b, "last") - num(a, "last"); }
  };

  function matches(g, key) {
    var c = controls[key];
    return !c || !c.value || g.getAttribute("data-" + key) === c.value;
  }

  function apply() {
    var shown = 0;
    groups.concat(rows).forEach(function (g) {
      var show = matches(g, "rule") && matches(g, "severity") && matches(g, "table");
      g.hidden = !show;
      if (show) { shown++; }
    });
    var sorter = sorters[controls.sort ? controls.sort.value : "severity"] || sorters.severity;
    groups.slice().sort(sorter).forEach(function (g) { box.appendChild(g); });
    if (restBox) { rows.slice().sort(sorter).forEach(function (r) { restBox.appendChild(r); }); }
    document.body.setAttribute("data-visible-groups", String(shown));
    if (counter) { counter.textContent = shown + " of " + total + " problems shown"; }
  }

  var params = readHash();
  if (params.theme === "dark" || params.theme === "light") {
    document.documentElement.setAttribute("data-theme", params.theme);
  }
  Object.keys(controls).forEach(function (k) {
    var c = controls[k];
    if (!c) { return; }
    if (params[k] !== undefined) {
      for (var i = 0; i < c.options.length; i++) {
        if (c.options[i].value === params[k]) { c.value = params[k]; }
      }
    }
    c.addEventListener("change", function () { apply(); writeHash(); });
  });

  // Printing shows the rule docs, which are collapsed on screen.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });

  apply();
})();
