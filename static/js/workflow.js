/* Compost LIMS: behaviour every page shares (loaded by base.html).
   1) Irreversible actions ask first: a form with data-confirm opens a dialog saying what
      will happen (data-confirm), what it concerns (ticked [data-label] boxes, data-confirm-items /
      data-confirm-none) and what is missing (data-confirm-missing); only "confirm" submits it.
   2) Pages of documents still rendering poll until the PDF is ready, then reload. */
(function () {
  "use strict";

  // 1) confirmations ----------------------------------------------------------
  var dialog = document.getElementById("confirm-dialog");
  if (dialog && typeof dialog.showModal === "function") {
    var body = document.getElementById("confirm-body");
    var items = document.getElementById("confirm-items");
    var missing = document.getElementById("confirm-missing");
    var ok = document.getElementById("confirm-ok");
    var okDefault = ok.textContent;
    var pending = null;
    document.addEventListener("submit", function (e) {
      var form = e.target;
      var asker = e.submitter && e.submitter.dataset.confirm ? e.submitter : form;  // a button may ask for itself
      if (!asker.dataset || !asker.dataset.confirm || form.dataset.confirmed === "1") return;
      e.preventDefault();
      if (!form.noValidate && !form.reportValidity()) return;  // a required reason first, then the question
      body.textContent = asker.dataset.confirm;
      var ticked = Array.from(form.querySelectorAll("input[data-label]:checked")).map(function (el) {
        return el.dataset.label;
      });
      items.innerHTML = "";
      if (form.querySelector("input[data-label]")) {
        var head = ticked.length ? form.dataset.confirmItems : form.dataset.confirmNone;
        if (head) { var li = document.createElement("li"); li.className = "head"; li.textContent = head; items.appendChild(li); }
        ticked.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; items.appendChild(li); });
      }
      items.hidden = !items.children.length;
      missing.hidden = !asker.dataset.confirmMissing;
      missing.textContent = asker.dataset.confirmMissing || "";
      ok.textContent = asker.dataset.confirmOk || okDefault;
      ok.className = form.querySelector("button.danger") ? "danger" : "";
      pending = {form: form, submitter: e.submitter || null};
      dialog.returnValue = "";
      dialog.showModal();
      ok.focus();
    }, true);
    dialog.addEventListener("close", function () {
      var p = pending;
      pending = null;
      if (!p || dialog.returnValue !== "ok") return;
      p.form.dataset.confirmed = "1";
      if (p.form.requestSubmit) { p.form.requestSubmit(p.submitter); } else { p.form.submit(); }
    });
  }

  // 2) document pages keep up with the render ---------------------------------
  var status = document.querySelector("[data-poll]");
  if (status) {
    var poll = function () {
      fetch(status.dataset.poll, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (d) {
          if (d.finished) { window.location.reload(); return; }
          if (d.status !== status.dataset.status) {
            status.dataset.status = d.status;
            var badge = status.querySelector(".badge");
            if (badge) { badge.className = "badge " + d.status; badge.textContent = d.status_label; }
          }
          setTimeout(poll, 1000);
        }).catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 700);
  }
})();
