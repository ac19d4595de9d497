/* Worksheet grid (issue 11): keyboard-first entry of every position, live preview, save all or nothing. */
(function () {
  "use strict";
  var form = document.getElementById("grid-form");
  if (!form) return;
  var table = document.getElementById("grid");
  var readonly = form.dataset.readonly === "1";
  var direct = form.dataset.method === "direct";
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var timer = null;

  function cells() { return Array.prototype.slice.call(table.querySelectorAll("input.cell")); }
  function columns() { return Array.prototype.map.call(table.querySelectorAll("th.param"), function (th) { return th.dataset.parameter; }); }
  function rows() { return Array.prototype.slice.call(table.querySelectorAll("tbody tr")); }
  if (readonly) { cells().forEach(function (c) { c.readOnly = true; }); return; }

  // every position's cells, {column: text}: the server turns them into the method's raw data (qc.grid)
  function entries() {
    var out = {};
    rows().forEach(function (tr) {
      var cellsOf = {}, any = false;
      tr.querySelectorAll("input.cell").forEach(function (c) {
        var v = c.value.trim();
        if (v !== "") { cellsOf[c.dataset.parameter] = v; any = true; }
      });
      if (any) out[tr.dataset.position] = {cells: cellsOf};
    });
    return out;
  }

  function under(path, prefix) { return path === prefix || path.indexOf(prefix + ".") === 0; }

  function figure(p) {
    if (p.rpd !== undefined && p.rpd !== null) return "RPD " + p.rpd.toFixed(1) + " %";
    if (p.g_control !== undefined) return "G " + p.g_control.toFixed(1) + " % / " + p.limit + " %";
    if (p.recovery !== undefined && p.recovery !== null) return p.recovery.toFixed(1) + " %";
    if (p.z !== undefined && p.z !== null) return "z " + p.z.toFixed(2);
    return "";
  }

  function show(report) {
    rows().forEach(function (tr) {
      var r = report[tr.dataset.position] || {};
      var errors = r.errors || {}, placed = {};
      var taken = r.from_blank ? r.from_blank.fields : [];
      tr.querySelectorAll("input.cell").forEach(function (c) {
        var msg = c.parentNode.querySelector(".cell-msg");
        var path = c.dataset.path, texts = [];
        Object.keys(errors).forEach(function (e) {
          if (under(e, path) || (direct && under(e, "values." + c.dataset.parameter))) {
            texts = texts.concat(errors[e]); placed[e] = true;
          }
        });
        c.classList.toggle("invalid", texts.length > 0);
        c.setAttribute("aria-invalid", texts.length ? "true" : "false");
        var computed = direct ? (r.results || {})[c.dataset.parameter] : undefined;
        var inherited = !c.value.trim() && taken.some(function (f) { return under(path, f); });
        msg.textContent = texts.length ? texts.join(" ") :
          (computed !== undefined ? "= " + computed : (inherited ? "← #" + r.from_blank.position : ""));
        msg.className = "cell-msg small" + (texts.length ? " fail" : " muted");
      });
      var rest = [];  // errors of no cell (a missing dish group, the whole row, the blank's control)
      Object.keys(errors).forEach(function (e) {
        if (!placed[e]) rest.push((e === "data" || e === "non_field_errors" ? "" : e + ": ") + errors[e].join(" "));
      });
      tr.querySelector(".row-msg").textContent = rest.join(" · ");
      var out = tr.querySelector("td.computed");
      if (out) {
        out.textContent = "";
        Object.keys(r.results || {}).forEach(function (key) {
          var line = document.createElement("div");
          line.textContent = key + " = " + Number(r.results[key].toPrecision(4));
          out.appendChild(line);
        });
      }
      var qc = tr.querySelector("td.qc");
      qc.innerHTML = "";
      Object.keys(r.judgements || {}).forEach(function (key) {
        var j = r.judgements[key], span = document.createElement("span"), f = figure(j.params || {});
        span.className = "qc-judgement " + j.status;
        span.textContent = key + ": " + j.status + " (" + j.code + (f ? ", " + f : "") + ")";
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
      td.firstChild.dataset.path = "values." + key;
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
