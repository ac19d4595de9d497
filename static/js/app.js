/* Compost LIMS: the little JavaScript the pages use. No library, no network
   beyond this site. 1) live preview of assay figures while typing;
   2) chromatogram zones by protocol; 3) batch-issue progress bar;
   4) raw-material rows of the product page with their live total. */
(function () {
  "use strict";

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function sel(name) { return window.CSS && CSS.escape ? CSS.escape(name) : name.replace(/"/g, '\\"'); }

  // 1) live preview ---------------------------------------------------------
  var form = document.getElementById("assay-form");
  if (form && form.dataset.previewUrl) {
    var panel = document.getElementById("preview");
    var state = document.getElementById("preview-state");
    var touched = new Set();
    var submitted = !!document.querySelector("#assay-form .has-error");
    var timer = null, seq = 0;

    var figureRows = function (items) {
      return items.map(function (r) {
        return '<div class="figure" data-param="' + esc(r.parameter) + '"><span>' + esc(r.name) +
          '</span><b class="preview-value">' + esc(r.text) + "</b></div>";
      }).join("");
    };

    // A message the server gave stays until its field is changed (the preview does not check
    // everything the server does, e.g. the reason of a correction).
    var serverKept = new Set();
    form.querySelectorAll("[data-error-for]").forEach(function (el) {
      if (el.textContent.trim()) serverKept.add(el.dataset.errorFor);
    });
    var isTouched = function (path) {  // the field, its row (group.i) or, for a group message, any of its cells
      var row = path.split(".").slice(0, 2).join(".");
      return Array.from(touched).some(function (t) {
        return t === path || t.split(".").slice(0, 2).join(".") === row || t.indexOf(path + ".") === 0;
      });
    };
    var show = function (out) {
      form.querySelectorAll("[data-error-for]").forEach(function (el) {
        if (!serverKept.has(el.dataset.errorFor)) el.textContent = "";
      });
      form.querySelectorAll(".has-error").forEach(function (el) {
        if (!serverKept.has(el.name)) el.classList.remove("has-error");
      });
      var other = [], hidden = 0;
      Object.keys(out.errors || {}).forEach(function (path) {
        var msgs = out.errors[path];
        var input = form.querySelector('[name="' + sel(path) + '"]');
        var box = form.querySelector('[data-error-for="' + sel(path) + '"]');
        // errors only for fields the user has left, or after a save: never on an untouched form
        if (!submitted && !isTouched(path)) { hidden++; return; }
        if (box) {
          box.textContent = msgs.join(" ");
          if (input) input.classList.add("has-error");
        } else { other = other.concat(msgs); }
      });
      var general = document.getElementById("form-errors");
      if (general) {
        general.innerHTML = other.map(function (m) { return "<div>" + esc(m) + "</div>"; }).join("");
        general.hidden = other.length === 0;
      }
      document.getElementById("preview-results").innerHTML = figureRows(out.results || []);
      var derived = (out.derived || []);
      document.getElementById("preview-derived").innerHTML = figureRows(derived);
      document.getElementById("preview-derived-wrap").hidden = derived.length === 0;
      document.getElementById("preview-details").innerHTML = (out.details || []).map(function (d) {
        return "<div>" + esc(d.label) + ": " + esc(d.value) + "</div>";
      }).join("");
      document.getElementById("preview-flags").innerHTML = (out.flags || []).map(function (f) {
        return '<p class="notice">' + esc(f) + "</p>";
      }).join("");
      var valid = document.getElementById("preview-valid");
      valid.hidden = !out.valid_label;
      valid.textContent = out.valid_label || "";
      var nErr = Object.keys(out.errors || {}).length;
      state.textContent = (out.results || []).length ? panel.dataset.ok
        : (nErr ? panel.dataset.incomplete : panel.dataset.idle);
      panel.dataset.ready = (out.results || []).length ? "1" : "0";
    };

    var run = function () {
      var fd = new FormData(form);
      fd.delete("photo");
      var mine = ++seq;
      state.textContent = panel.dataset.busy;
      fetch(form.dataset.previewUrl, {
        method: "POST", body: fd, credentials: "same-origin",
        headers: {"X-CSRFToken": fd.get("csrfmiddlewaretoken"), "Accept": "application/json"}
      }).then(function (r) { return r.json(); })
        .then(function (out) { if (mine === seq) show(out); })
        .catch(function () { state.textContent = panel.dataset.idle; });
    };
    var later = function (ms) { clearTimeout(timer); timer = setTimeout(run, ms); };
    form.addEventListener("input", function (e) {
      if (e.target.name && serverKept.delete(e.target.name)) {
        var box = form.querySelector('[data-error-for="' + sel(e.target.name) + '"]');
        if (box) box.textContent = "";
        e.target.classList.remove("has-error");
      }
      later(250);
    });
    form.addEventListener("change", function (e) { if (e.target.name) touched.add(e.target.name); later(60); });
    form.addEventListener("focusout", function (e) {  // leaving a field: its errors may show now
      if (e.target.name && e.target.name.charAt(0) !== "_" && (e.target.value || touched.size)) {
        if (!touched.has(e.target.name)) { touched.add(e.target.name); later(30); }
      }
    });
    // Enter moves to the next cell (as in a spreadsheet); only the save button saves
    form.addEventListener("keydown", function (e) {
      var t = e.target;
      if (e.key !== "Enter" || t.tagName === "TEXTAREA" || t.tagName === "BUTTON" || t.type === "submit") return;
      e.preventDefault();
      var cells = Array.from(form.querySelectorAll("input, select")).filter(function (el) {
        return el.type !== "hidden" && el.type !== "file" && !el.disabled && el.offsetParent !== null;
      });
      var next = cells[cells.indexOf(t) + 1] || document.getElementById("save");
      if (next) { next.focus(); if (next.select) next.select(); }
    });
    var anyValue = Array.from(form.querySelectorAll("input[type=text], select")).some(function (el) {
      return el.value && el.name && el.name.charAt(0) !== "_";
    });
    if (anyValue) run();

    // 2) chromatogram: the livestock protocol reads the edge only
    var protocol = form.querySelector('select[name="protocol"]');
    var zoneFields = form.querySelectorAll('[data-field="center"], [data-field="middle_band"]');
    if (protocol && zoneFields.length) {
      var toggle = function () {
        zoneFields.forEach(function (el) { el.hidden = protocol.value === "livestock_naoh"; });
      };
      protocol.addEventListener("change", toggle);
      toggle();
    }
    // germination: the seeds per dish of each protocol as a hint
    if (protocol && form.querySelector('[name="control.0.sown"]')) {
      var hint = function () {
        var n = protocol.value === "livestock_radish" ? "50" : "25";  // a hint, visibly not a value
        var hintText = (form.dataset.sownHint || "e.g. {n}").replace("{n}", n);
        form.querySelectorAll('input[name$=".sown"]').forEach(function (el) { el.placeholder = hintText; });
      };
      protocol.addEventListener("change", hint);
      hint();
    }
  }

  // 3) batch progress -------------------------------------------------------
  var bar = document.getElementById("batch-bar");
  if (bar && bar.dataset.url) {
    var poll = function () {
      fetch(bar.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (p) {
          bar.style.width = p.progress_pct + "%";
          bar.textContent = Math.round(p.progress_pct) + " %";
          bar.parentNode.setAttribute("aria-valuenow", String(p.progress_pct));
          var counts = document.getElementById("batch-counts");
          if (counts) {
            counts.querySelectorAll("[data-count]").forEach(function (el) { el.textContent = p[el.dataset.count]; });
          }
          (p.documents || []).forEach(function (d) {
            var cell = document.querySelector('[data-doc-status="' + sel(d.number) + '"]');
            if (cell) { cell.innerHTML = '<span class="badge ' + esc(d.status) + '">' + esc(d.status_label) + "</span>"; }
          });
          if (p.finished) {
            var done = document.getElementById("batch-done");
            if (done) done.hidden = false;
            var title = document.getElementById("batch-title");
            if (title && title.dataset.done) title.textContent = title.dataset.done;
            document.body.dataset.batchFinished = "1";
          } else { setTimeout(poll, 1000); }
        }).catch(function () { setTimeout(poll, 3000); });
    };
    poll();
  }

  // 4) product page: raw-material rows (add / remove) and their live total ----
  var materials = document.getElementById("raw-materials");
  if (materials) {
    var rowsBody = materials.tBodies[0];
    var rowTemplate = document.getElementById("material-row-template");
    var addMaterial = document.getElementById("add-material");
    var totalEl = document.getElementById("materials-total");
    var stateEl = document.getElementById("materials-state");
    var totalError = document.getElementById("materials-error");
    var number = function (raw) {  // as the server reads it: empty -> null, not a number -> NaN
      var v = String(raw).trim().replace(/[\uFF10-\uFF19]/g, function (c) {
        return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
      });
      if (v === "") return null;
      var n = Number(v);
      return isFinite(n) ? n : NaN;
    };
    var round3 = function (n) { return String(Math.round(n * 1000) / 1000); };
    var renumber = function () {
      Array.from(rowsBody.rows).forEach(function (tr, i) {
        tr.querySelectorAll("[name], [data-error-for]").forEach(function (el) {
          ["name", "data-error-for"].forEach(function (attr) {
            var v = el.getAttribute(attr);
            if (v) el.setAttribute(attr, v.replace(/^raw_materials\.[^.]+\./, "raw_materials." + i + "."));
          });
        });
        tr.querySelector(".rownum").textContent = String(i + 1);
        tr.querySelector(".remove-material").hidden = false;
      });
    };
    var updateTotal = function () {
      var total = 0, any = false;
      Array.from(rowsBody.rows).forEach(function (tr) {
        var n = number(tr.querySelector('[name$=".proportion_pct"]').value);
        if (n !== null && !isNaN(n)) { total += n; any = true; }
      });
      var state = !any ? "" : (Math.abs(total - 100) <= 0.01 ? "ok" : (total < 100 ? "short" : "over"));
      totalEl.textContent = round3(total);
      stateEl.className = "total-state " + state;
      stateEl.textContent = state ? materials.dataset[state].replace("{n}", round3(Math.abs(100 - total))) : "";
      materials.dataset.state = state;
      if (state === "ok" && totalError) totalError.textContent = "";
    };
    var addRow = function () {
      rowsBody.insertAdjacentHTML("beforeend", rowTemplate.innerHTML.replace(/__i__/g, String(rowsBody.rows.length)));
      renumber();
      rowsBody.rows[rowsBody.rows.length - 1].querySelector("input").focus();
    };
    addMaterial.hidden = false;
    addMaterial.addEventListener("click", addRow);
    rowsBody.addEventListener("click", function (e) {
      var button = e.target.closest(".remove-material");
      if (!button) return;
      var tr = button.closest("tr");
      if (rowsBody.rows.length > 1) {
        tr.remove();
      } else {  // the last row is emptied rather than removed
        tr.querySelectorAll("input").forEach(function (el) { el.value = ""; el.classList.remove("has-error"); });
        tr.querySelectorAll(".field-error").forEach(function (el) { el.textContent = ""; });
      }
      renumber();
      updateTotal();
    });
    rowsBody.addEventListener("input", function (e) {
      if (!e.target.name) return;
      e.target.classList.remove("has-error");  // a corrected cell loses its old message
      var box = rowsBody.querySelector('[data-error-for="' + sel(e.target.name) + '"]');
      if (box) box.textContent = "";
      updateTotal();
    });
    rowsBody.addEventListener("keydown", function (e) {  // Enter in the last row adds a row instead of saving
      if (e.key === "Enter" && e.target.tagName === "INPUT" && e.target.closest("tr") === rowsBody.rows[rowsBody.rows.length - 1]) {
        e.preventDefault();
        addRow();
      }
    });
    renumber();
    updateTotal();
  }

  // clickable table rows
  document.querySelectorAll("tr[data-href]").forEach(function (tr) {
    tr.classList.add("rowlink");
    tr.addEventListener("click", function (e) {
      if (e.target.closest("a, button, input, label, select")) return;
      window.location = tr.dataset.href;
    });
  });
})();
