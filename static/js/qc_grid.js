/* Worksheet grid (issue 11): keyboard-first entry of every position, live preview, save all or nothing. */
(function () {
  "use strict";
  var form = document.getElementById("grid-form");
  if (!form) return;
  var table = document.getElementById("grid");
  var readonly = form.dataset.readonly === "1";
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var timer = null;

  function cells() { return Array.prototype.slice.call(table.querySelectorAll("input.cell")); }
  function columns() { return Array.prototype.map.call(table.querySelectorAll("th.param"), function (th) { return th.dataset.parameter; }); }
  function rows() { return Array.prototype.slice.call(table.querySelectorAll("tbody tr")); }
  if (readonly) { cells().forEach(function (c) { c.readOnly = true; }); return; }

  function entries() {
    var out = {};
    rows().forEach(function (tr) {
      var values = {};
      tr.querySelectorAll("input.cell").forEach(function (c) {
        var v = c.value.trim();
        if (v === "") return;
        var entry = {};
        if (v.charAt(0) === "<") { entry.qualifier = "<"; v = v.slice(1).trim(); }
        var n = Number(v.replace(",", "."));
        entry.value = (v !== "" && !isNaN(n)) ? n : v;
        values[c.dataset.parameter] = entry;
      });
      if (Object.keys(values).length) out[tr.dataset.position] = {values: values};
    });
    return out;
  }

  function show(report) {
    rows().forEach(function (tr) {
      var r = report[tr.dataset.position] || {};
      var errors = r.errors || {};
      tr.querySelectorAll("input.cell").forEach(function (c) {
        var msg = c.parentNode.querySelector(".cell-msg");
        var key = c.dataset.parameter, texts = [];
        Object.keys(errors).forEach(function (path) {
          if (path === "data" || path.indexOf("values." + key) === 0) texts = texts.concat(errors[path]);
        });
        c.classList.toggle("invalid", texts.length > 0);
        c.setAttribute("aria-invalid", texts.length ? "true" : "false");
        var computed = (r.results || {})[key];
        msg.textContent = texts.length ? texts.join(" ") : (computed !== undefined ? "= " + computed : "");
        msg.className = "cell-msg small" + (texts.length ? " fail" : " muted");
      });
      var qc = tr.querySelector("td.qc");
      qc.innerHTML = "";
      Object.keys(r.judgements || {}).forEach(function (key) {
        var j = r.judgements[key], span = document.createElement("span");
        var p = j.params || {}, figure = p.rpd !== undefined ? "RPD " + p.rpd.toFixed(1) + " %" :
          (p.recovery !== undefined && p.recovery !== null ? p.recovery.toFixed(1) + " %" : (p.z !== undefined ? "z " + p.z.toFixed(2) : ""));
        span.className = "qc-judgement " + j.status;
        span.textContent = key + ": " + j.status + " (" + j.code + (figure ? ", " + figure : "") + ")";
        qc.appendChild(span);
      });
    });
  }

  function post(url, done) {
    fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json"},
      body: JSON.stringify({entries: entries()})})
      .then(function (r) { return r.json().then(function (body) { done(r.status, body); }); });
  }

  function preview() { post(form.dataset.previewUrl, function (status, body) { if (status === 200) show(body); }); }
  function schedule() { clearTimeout(timer); timer = setTimeout(preview, 250); }

  function move(cell, dRow, dCol) {
    var all = cells(), ncol = columns().length, i = all.indexOf(cell) + dRow * ncol + dCol;
    if (i >= 0 && i < all.length) { all[i].focus(); all[i].select(); }
  }

  table.addEventListener("keydown", function (e) {
    if (!e.target.classList.contains("cell")) return;
    if (e.key === "Enter") { e.preventDefault(); move(e.target, e.shiftKey ? -1 : 1, 0); }
    else if (e.key === "ArrowDown") { e.preventDefault(); move(e.target, 1, 0); }
    else if (e.key === "ArrowUp") { e.preventDefault(); move(e.target, -1, 0); }
  });
  table.addEventListener("input", schedule);
  table.addEventListener("paste", function (e) {
    if (!e.target.classList.contains("cell")) return;
    var text = (e.clipboardData || window.clipboardData).getData("text");
    if (text.indexOf("\t") < 0 && text.indexOf("\n") < 0) return;
    e.preventDefault();
    var all = cells(), ncol = columns().length, start = all.indexOf(e.target);
    var r0 = Math.floor(start / ncol), c0 = start % ncol;
    text.replace(/\r/g, "").replace(/\n$/, "").split("\n").forEach(function (line, dr) {
      line.split("\t").forEach(function (v, dc) {
        if (c0 + dc >= ncol) return;
        var cell = all[(r0 + dr) * ncol + c0 + dc];
        if (cell) cell.value = v.trim();
      });
    });
    schedule();
  });

  var add = document.getElementById("add-column");
  if (add) add.addEventListener("click", function () {
    var key = document.getElementById("add-parameter").value;
    if (columns().indexOf(key) >= 0) return;
    var th = document.createElement("th");
    th.className = "param"; th.dataset.parameter = key; th.textContent = key;
    var head = table.querySelector("thead tr");
    head.insertBefore(th, head.lastElementChild);
    rows().forEach(function (tr) {
      var td = document.createElement("td");
      td.innerHTML = '<input class="cell" inputmode="decimal" autocomplete="off"><div class="cell-msg small"></div>';
      td.firstChild.dataset.parameter = key;
      td.firstChild.setAttribute("aria-label", tr.dataset.position + " " + key);
      tr.insertBefore(td, tr.lastElementChild);
    });
  });

  document.getElementById("save-grid").addEventListener("click", function () {
    var status = document.getElementById("grid-status");
    post(form.dataset.enterUrl, function (code, body) {
      if (code === 200) { window.location.reload(); return; }
      var report = {};
      Object.keys(body).forEach(function (path) {
        var m = /^positions\.(\d+)\.(.*)$/.exec(path);
        if (m) { report[m[1]] = report[m[1]] || {errors: {}}; report[m[1]].errors[m[2]] = body[path]; }
      });
      if (Object.keys(report).length) preview();
      status.textContent = body.detail || Object.keys(body).length + " ✗";
      status.className = "small fail";
    });
  });
  if (cells().length) { cells()[0].focus(); }
})();
