/* perfeval report page: live scoring, saving, rows, keyboard and paste.
 *
 * The script computes no score: it sends the unsaved form to the server's engine
 * (data-score-url) and puts the figures and messages it returns in place.
 */
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form) return;
  var T = JSON.parse(document.getElementById("ui-text").textContent);
  var editable = form.dataset.editable === "1";
  var indBody = document.getElementById("ind-body");
  var taskBody = document.getElementById("task-body");
  var panel = document.getElementById("findings-body");
  var versionInput = form.querySelector('input[name="version"]');
  var statusEl = document.getElementById("save-status");
  var conflictBox = document.getElementById("conflict");
  var lastErrors = {};

  function esc(value) {
    return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/["\\]/g, "\\$&");
  }
  function fmt(text, value) {
    return String(text).replace("%s", value);
  }
  function setText(selector, value, root) {
    (root || document).querySelectorAll(selector).forEach(function (el) {
      el.textContent = value == null ? "" : value;
    });
  }
  function field(row, name) {
    var el = row.querySelector('[data-field="' + name + '"]');
    return el ? el.value : "";
  }
  function indRows() {
    return Array.prototype.slice.call(indBody ? indBody.querySelectorAll("tr.ind-row") : []);
  }
  function taskRows() {
    return Array.prototype.slice.call(taskBody ? taskBody.querySelectorAll("tr.task-row") : []);
  }

  // ------------------------------------------------------------------ showing a result

  function clearMarks() {
    form.querySelectorAll(".msg").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".has-error, .has-warning, .has-info").forEach(function (el) {
      el.classList.remove("has-error", "has-warning", "has-info");
      if (el.hasAttribute("aria-invalid")) el.removeAttribute("aria-invalid");
    });
  }

  function locate(target, rowRef, anchor) {
    var el = null;
    if (target) {
      el = form.querySelector('[name="' + esc(target) + '"]') || form.querySelector('[data-name="' + esc(target) + '"]');
    }
    if (!el && rowRef) {
      var row = form.querySelector('tr[data-row="' + esc(rowRef) + '"]');
      if (row) el = row.querySelector("td.c-l3 .l3, td.c-l3 input[data-field=level3], td.c-name input[data-field=name], td.c-name, th.item") || row.cells[0];
    }
    if (!el && anchor) el = document.querySelector('[data-anchor="' + esc(anchor) + '"]');
    return el;
  }

  function mark(el, severity, message) {
    if (!el) return;
    el.classList.add("has-" + severity);
    if (severity === "error" && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) el.setAttribute("aria-invalid", "true");
    var cell = el.closest("td, th, section, label") || el.parentNode;
    // Narrow columns keep their highlighted input; the words go to the row's score cell.
    if (cell.matches(".c-unit, .c-weight, .c-self")) cell = cell.parentNode.querySelector("td.c-rule") || cell;
    var seen = Array.prototype.some.call(cell.querySelectorAll(".msg"), function (m) { return m.textContent === message; });
    if (seen) return;
    var div = document.createElement("div");
    div.className = "msg msg-" + severity;
    div.textContent = message;
    cell.appendChild(div);
  }

  function showErrors(errors) {
    lastErrors = errors || {};
    Object.keys(lastErrors).forEach(function (name) {
      var el = name === "__all__" ? null : locate(name);
      (lastErrors[name] || []).forEach(function (message) {
        if (el) mark(el, "error", message);
        else setStatus(message, "error");
      });
    });
  }

  function applyResult(r) {
    if (!r) return;
    var byRef = {};
    indRows().forEach(function (tr) { byRef[tr.dataset.row] = tr; });
    var scored = {};
    (r.rows || []).forEach(function (x) {
      var tr = byRef[x.row];
      if (!tr) return;
      scored[x.row] = true;
      setText('[data-out="row-score"]', x.score, tr);
      setText('[data-out="row-explain"]', x.explanation, tr);
      tr.classList.toggle("short", !!x.short);
      var reason = tr.querySelector('[data-field="reason"]');
      if (reason) {
        if (x.short) {
          reason.setAttribute("aria-required", "true");
          reason.placeholder = T.reason_needed;
        } else {
          reason.removeAttribute("aria-required");
          reason.placeholder = "";
        }
      }
    });
    indRows().forEach(function (tr) {
      if (!scored[tr.dataset.row]) {
        setText('[data-out="row-score"]', "", tr);
        setText('[data-out="row-explain"]', "", tr);
      }
    });
    (r.level1 || []).forEach(function (x) {
      document.querySelectorAll("th.l1").forEach(function (cell) {
        if (cell.dataset.l1 !== x.name) return;
        setText('[data-out="l1-weight"]', x.weight, cell);
        setText('[data-out="l1-score"]', x.score, cell);
        setText('[data-out="l1-self"]', x.self, cell);
      });
    });
    (r.level2 || []).forEach(function (x) {
      document.querySelectorAll("th.l2").forEach(function (cell) {
        if (cell.dataset.l2 !== x.key) return;
        setText('[data-out="l2-weight"]', x.weight, cell);
        setText('[data-out="l2-score"]', x.score, cell);
      });
    });
    setText('[data-out="total"]', r.total);
    setText('[data-out="grade"]', r.grade);
    // No grade yet ("—" on a blank draft): no badge colour behind the dash.
    document.querySelectorAll('[data-out="grade"]').forEach(function (el) {
      el.classList.toggle("grade-blank", !r.grade || r.grade === "\u2014");
    });
    setText('[data-out="self_total"]', r.self_total);
    setText('[data-out="self_grade"]', r.self_grade);
    setText('[data-out="weight_total"]', r.weight_total);
    setText('[data-out="total_explanation"]', r.total_explanation);
    setText('[data-out="exec-score"]', r.execution.score);
    setText('[data-out="exec-explain"]', r.execution.explanation);
    setText('[data-out="count-error"]', r.counts.error);
    setText('[data-out="count-warning"]', r.counts.warning);
    var bar = document.getElementById("bar-total");
    if (bar) bar.title = r.total_explanation;
    document.querySelectorAll('[data-out="budget-rate"]').forEach(function (el) {
      el.textContent = r.budget_rates[el.dataset.key] || "";
    });
    taskRows().forEach(function (tr, i) {
      setText('[data-out="task-rate"]', (r.task_rates || {})[i] || "", tr);
    });
    clearMarks();
    (r.findings || []).forEach(function (f) {
      mark(locate(f.target, f.row, f.anchor), f.severity, f.short || f.message);
    });
    if (r.panel_html !== undefined && panel) panel.innerHTML = r.panel_html;
    if (r.errors) lastErrors = r.errors;
    showErrors(lastErrors);
  }

  // The first result came with the page (messages are placed by the same code as later ones).
  var initial = document.getElementById("initial-result");
  if (initial) applyResult(JSON.parse(initial.textContent));

  // A finding in the panel takes you to its field.
  function goToFinding(li, behavior) {
    var el = locate(li.dataset.target, li.dataset.rowRef, li.dataset.anchorRef);
    if (!el) return;
    el.scrollIntoView({ block: "center", behavior: behavior });
    if (typeof el.focus === "function" && /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) el.focus({ preventScroll: true });
  }
  document.addEventListener("click", function (e) {
    var link = e.target.closest("#findings .goto");
    if (!link) return;
    e.preventDefault();
    goToFinding(link.closest("li"), "smooth");
  });

  // The submit page links each finding here as #goto=code@where: open at its field.
  var wanted = /^#goto=([^@]*)@(.*)$/.exec(location.hash);
  if (wanted) {
    var code = decodeURIComponent(wanted[1]);
    var where = decodeURIComponent(wanted[2]);
    var items = document.querySelectorAll("#findings li[data-where]");
    for (var i = 0; i < items.length; i++) {
      if (items[i].dataset.code === code && items[i].dataset.where === where) {
        goToFinding(items[i], "auto");
        break;
      }
    }
  }

  autogrowAll();
  if (!editable) return;

  // ------------------------------------------------------------------ state and status

  var editSeq = 0;
  var savedSeq = 0;
  var saving = null;
  var conflict = false;
  var locked = false;

  function isDirty() { return editSeq !== savedSeq; }

  function setStatus(text, kind) {
    if (!statusEl) return;
    statusEl.textContent = text;
    statusEl.className = "save-status" + (kind ? " is-" + kind : "");
  }

  function touched() {
    editSeq += 1;
    if (!conflict) setStatus(T.dirty, "dirty");
  }

  // ------------------------------------------------------------------ live score

  var scoreTimer = null;
  var scoreSeq = 0;

  function scheduleScore(ms) {
    clearTimeout(scoreTimer);
    scoreTimer = setTimeout(runScore, ms);
  }

  // JSON rather than URL-encoded or multipart: the server reads ~700 fields of it ~20x faster.
  // Every input has one value, so an object of name: value holds the whole form.
  function post(url, form) {
    var fields = Object.fromEntries(new FormData(form));
    return fetch(url, {
      method: "POST",
      body: JSON.stringify(fields),
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": fields.csrfmiddlewaretoken,
        "X-Requested-With": "fetch",
      },
    });
  }

  function runScore() {
    var seq = ++scoreSeq;
    form.classList.add("is-scoring");
    post(form.dataset.scoreUrl, form)
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (data) {
        if (seq !== scoreSeq || !data) return;
        applyResult(data);
      })
      .catch(function () { /* the next change retries */ })
      .then(function () { if (seq === scoreSeq) form.classList.remove("is-scoring"); });
  }

  form.addEventListener("input", function (e) {
    if (e.target.tagName === "TEXTAREA") autogrow(e.target);
    touched();
    scheduleScore(350);
  });
  form.addEventListener("change", function (e) {
    if (e.target.dataset.field === "kind") {
      var tr = e.target.closest("tr");
      if (tr) tr.dataset.kind = e.target.value;
    }
    touched();
    scheduleScore(0);
  });

  // ------------------------------------------------------------------ saving

  function applyIds(rows, ids) {
    rows.forEach(function (tr, i) {
      var input = tr.querySelector('[data-field="id"]');
      if (input && ids[i] != null) input.value = ids[i];
    });
  }

  function save(options) {
    options = options || {};
    if (locked) return Promise.resolve(false);
    if (conflict && !options.force) return Promise.resolve(false);
    if (saving) return saving.then(function () { return isDirty() ? save(options) : true; });
    var seq = editSeq;
    var sentTasks = taskRows();
    var sentInds = indRows();
    setStatus(T.saving, "saving");
    saving = post(form.dataset.saveUrl, form)
      .then(function (resp) {
        return resp.json().then(function (data) { return { resp: resp, data: data }; });
      })
      .then(function (res) {
        var data = res.data;
        if (res.resp.ok) {
          conflict = false;
          versionInput.value = data.version;
          setText("#report-version", data.version);
          applyIds(sentTasks, data.ids.task);
          applyIds(sentInds, data.ids.ind);
          savedSeq = seq;
          lastErrors = {};
          if (isDirty()) setStatus(T.dirty, "dirty");
          else setStatus(fmt(T.saved_at, data.saved_at), "saved");
          if (data.result && !isDirty()) applyResult(data.result);
          else if (!data.result) scheduleScore(0); // marks of a refused save go once the page scores again
          return true;
        }
        if (data.status === "conflict") {
          conflict = true;
          showConflict(data);
          setStatus(T.conflict, "error");
        } else if (data.status === "locked") {
          locked = true;
          setStatus(data.message, "error");
        } else {
          clearMarks();
          showErrors(data.errors);
          setStatus(data.message || T.invalid, "error");
        }
        return false;
      })
      .catch(function () {
        setStatus(T.offline, "error");
        return false;
      })
      .then(function (ok) {
        saving = null;
        return ok;
      });
    return saving;
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    save();
  });

  function showConflict(data) {
    conflictBox.innerHTML = data.html;
    conflictBox.hidden = false;
    conflictBox.dataset.version = data.version;
    conflictBox.scrollIntoView({ block: "start", behavior: "smooth" });
  }

  conflictBox.addEventListener("click", function (e) {
    var button = e.target.closest("[data-conflict]");
    if (!button) return;
    var action = button.dataset.conflict;
    if (action === "reload") {
      savedSeq = editSeq;
      window.location.reload();
    } else if (action === "overwrite") {
      if (!window.confirm(T.confirm_overwrite)) return;
      versionInput.value = conflictBox.dataset.version;
      conflictBox.hidden = true;
      save({ force: true });
    } else if (action === "close") {
      conflictBox.hidden = true;
    }
  });

  // Autosave: every 30 s while there are unsaved changes, and when the page loses focus.
  setInterval(function () { if (isDirty() && !saving && !conflict) save(); }, 30000);
  window.addEventListener("blur", function () { if (isDirty() && !conflict) save(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && isDirty() && !conflict) save();
  });
  window.addEventListener("beforeunload", function (e) {
    if (!isDirty()) return;
    e.preventDefault();
    e.returnValue = T.leave;
    return T.leave;
  });

  var submitButton = document.getElementById("submit-button");
  if (submitButton) {
    submitButton.addEventListener("click", function (e) {
      if (!isDirty()) return;
      e.preventDefault();
      save().then(function (ok) { if (ok && !isDirty()) window.location.href = submitButton.href; });
    });
  }

  // The bar's PDF is made from the saved report: unsaved changes are saved first.
  var pdfForm = document.getElementById("pdf-form");
  if (pdfForm) {
    pdfForm.addEventListener("submit", function (e) {
      if (!isDirty()) return;
      e.preventDefault();
      save().then(function (ok) { if (ok && !isDirty()) pdfForm.submit(); });
    });
  }

  // ------------------------------------------------------------------ rows

  function renumber(body, prefix) {
    var rows = Array.prototype.slice.call(body.querySelectorAll("tr." + (prefix === "ind" ? "ind-row" : "task-row")));
    var pattern = new RegExp("^" + prefix + "-(\\d+|__prefix__)-");
    rows.forEach(function (tr, i) {
      tr.dataset.row = prefix + "-" + i;
      tr.querySelectorAll("[name], [data-name]").forEach(function (el) {
        ["name", "data-name"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value && pattern.test(value)) el.setAttribute(attr, value.replace(pattern, prefix + "-" + i + "-"));
        });
      });
    });
    form.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]').value = rows.length;
  }

  function levelCell(kind, text) {
    var th = document.createElement("th");
    th.className = kind;
    th.scope = "rowgroup";
    var div = document.createElement("div");
    div.className = "lv-name";
    div.textContent = text;
    th.appendChild(div);
    return th;
  }

  // Level-1 and level-2 cells merged over their runs of rows, after rows moved. Only the level
  // columns the table shows (data-levels: a flat list has none); a run under no name is a quiet cell.
  function relayout() {
    if (!indBody) return;
    var levels = document.getElementById("indicator-table")?.dataset.levels;
    var shown = (levels === undefined ? "l1 l2" : levels).split(" ");
    var showL1 = shown.indexOf("l1") >= 0;
    var showL2 = shown.indexOf("l2") >= 0;
    var rows = indRows();
    var cells1 = {};
    var cells2 = {};
    indBody.querySelectorAll("th.l1").forEach(function (c) { cells1[c.dataset.l1] = cells1[c.dataset.l1] || c; c.remove(); });
    indBody.querySelectorAll("th.l2").forEach(function (c) { cells2[c.dataset.l2] = cells2[c.dataset.l2] || c; c.remove(); });
    var used = {};
    function take(store, key, kind, text, attr) {
      var cell = store[key];
      if (!cell) {
        cell = levelCell(kind, text || (kind === "l1" ? T.no_level1 || "" : ""));
        if (!text) cell.classList.add("unnamed");
        cell.setAttribute(attr, key);
      }
      if (used[kind + key]) cell = cell.cloneNode(true);
      used[kind + key] = true;
      return cell;
    }
    var i = 0;
    while (i < rows.length) {
      var l1 = field(rows[i], "level1");
      var j = i;
      while (j < rows.length && field(rows[j], "level1") === l1) j++;
      if (showL1) {
        var c1 = take(cells1, l1, "l1", l1, "data-l1");
        c1.rowSpan = j - i;
        rows[i].insertBefore(c1, rows[i].firstElementChild);
      }
      var a = i;
      while (a < j) {
        var l2 = field(rows[a], "level2");
        var b = a;
        while (b < j && field(rows[b], "level2") === l2) b++;
        if (showL2) {
          var c2 = take(cells2, l1 + "|" + l2, "l2", l2, "data-l2");
          c2.rowSpan = b - a;
          rows[a].insertBefore(c2, rows[a].querySelector("td.c-l3"));
        }
        a = b;
      }
      i = j;
    }
  }

  function sameGroup(a, b) {
    return field(a, "level1") === field(b, "level1") && field(a, "level2") === field(b, "level2");
  }

  function moveRow(tr, direction) {
    var isInd = tr.classList.contains("ind-row");
    var selector = isInd ? "tr.ind-row" : "tr.task-row";
    var sibling = direction < 0 ? tr.previousElementSibling : tr.nextElementSibling;
    while (sibling && !sibling.matches(selector)) sibling = direction < 0 ? sibling.previousElementSibling : sibling.nextElementSibling;
    if (!sibling || (isInd && !sameGroup(tr, sibling))) return false;
    if (direction < 0) sibling.parentNode.insertBefore(tr, sibling);
    else sibling.parentNode.insertBefore(tr, sibling.nextSibling);
    afterStructure(isInd);
    return true;
  }

  function afterStructure(isInd) {
    if (isInd) {
      renumber(indBody, "ind");
      relayout();
    } else {
      renumber(taskBody, "task");
    }
    touched();
    scheduleScore(0);
  }

  function newRow(templateId) {
    var tpl = document.getElementById(templateId);
    var holder = document.createElement("tbody");
    holder.innerHTML = tpl.innerHTML.trim();
    return holder.querySelector("tr");
  }

  document.getElementById("add-task")?.addEventListener("click", function () {
    var tr = newRow("tpl-task-row");
    taskBody.appendChild(tr);
    afterStructure(false);
    tr.querySelector('[data-field="name"]').focus();
  });

  document.getElementById("add-indicator")?.addEventListener("click", function () {
    var option = document.getElementById("add-group").selectedOptions[0];
    var tr = newRow("tpl-ind-row");
    tr.querySelector('[data-field="level1"]').value = option.dataset.l1;
    tr.querySelector('[data-field="level2"]').value = option.dataset.l2;
    var last = null;
    indRows().forEach(function (row) { if (sameGroup(row, tr)) last = row; });
    if (last) last.parentNode.insertBefore(tr, last.nextSibling);
    else indBody.appendChild(tr);
    afterStructure(true);
    tr.querySelector('[data-field="level3"]').focus();
  });

  form.addEventListener("click", function (e) {
    var button = e.target.closest("button[data-act]");
    if (!button) return;
    var tr = button.closest("tr");
    var isInd = tr.classList.contains("ind-row");
    if (button.dataset.act === "up") moveRow(tr, -1);
    else if (button.dataset.act === "down") moveRow(tr, 1);
    else if (button.dataset.act === "remove" && window.confirm(T.confirm_remove)) {
      tr.remove();
      afterStructure(isInd);
    }
  });

  // ------------------------------------------------------------------ keyboard and paste

  function columnNeighbour(el, direction) {
    var tr = el.closest("tr");
    var name = el.dataset.field;
    if (!tr || !name) return null;
    var sibling = direction < 0 ? tr.previousElementSibling : tr.nextElementSibling;
    while (sibling) {
      var target = sibling.querySelector('[data-field="' + name + '"]:not([type=hidden])');
      if (target) return target;
      sibling = direction < 0 ? sibling.previousElementSibling : sibling.nextElementSibling;
    }
    return null;
  }

  form.addEventListener("keydown", function (e) {
    var el = e.target;
    if ((e.ctrlKey || e.metaKey) && (e.key === "s" || e.key === "S")) {
      e.preventDefault();
      save();
      return;
    }
    if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
      var row = el.closest("tr.custom, tr.task-row");
      if (row) {
        e.preventDefault();
        moveRow(row, e.key === "ArrowUp" ? -1 : 1);
        el.focus();
      }
      return;
    }
    if (el.tagName !== "INPUT" || el.type === "hidden") return;
    if (e.key === "Enter") {
      e.preventDefault();
      var next = columnNeighbour(el, e.shiftKey ? -1 : 1);
      if (next) { next.focus(); next.select(); }
    } else if ((e.key === "ArrowDown" || e.key === "ArrowUp") && el.closest("tbody")) {
      var target = columnNeighbour(el, e.key === "ArrowUp" ? -1 : 1);
      if (target) { e.preventDefault(); target.focus(); target.select(); }
    }
  });

  // ------------------------------------------------------------------ paste a block from a spreadsheet

  // Excel puts a block on the clipboard as rows by newline and cells by tab; a cell that holds
  // a newline, tab or quote comes quoted ("a""b"). Trailing empty lines are dropped.
  function parseGrid(text) {
    text = text.replace(/\r\n?/g, "\n");
    var rows = [[]];
    var cell = "";
    var quoted = false;
    var fresh = true; // at the start of a cell
    for (var i = 0; i < text.length; i++) {
      var ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; }
        else if (ch === '"') quoted = false;
        else cell += ch;
      } else if (ch === '"' && fresh) {
        quoted = true;
        fresh = false;
      } else if (ch === "\t" || ch === "\n") {
        rows[rows.length - 1].push(cell);
        if (ch === "\n") rows.push([]);
        cell = "";
        fresh = true;
      } else {
        cell += ch;
        fresh = false;
      }
    }
    rows[rows.length - 1].push(cell);
    while (rows.length > 1 && rows[rows.length - 1].join("") === "" && rows[rows.length - 1].length === 1) rows.pop();
    return rows;
  }

  // The three blocks a block can be pasted into: their rows, and the inputs that take a value.
  var PASTE_BLOCKS = [
    { rows: "#task-body > tr.task-row", controls: "input[type=text], textarea" },
    { rows: "#budget-table > tbody > tr", controls: 'input[type=text][name^="budget-"]' },
    { rows: "#ind-body > tr.ind-row", controls: "input[type=text], textarea" },
  ];

  // A row's columns are its td cells (merged level headers are th): the pasted block keeps the
  // page's layout, so a read-only cell in it is left as it is rather than shifting the rest.
  function pasteCells(tr) {
    return Array.prototype.filter.call(tr.children, function (c) { return c.tagName === "TD"; });
  }
  function pasteTarget(cell, block) {
    var el = cell ? cell.querySelector(block.controls) : null;
    return el && !el.readOnly && !el.disabled ? el : null;
  }

  // Excel copies a formatted amount as it shows it ("1,234.50"); a figure box takes the number.
  // Only a well-formed thousands grouping is read so ("1,2,3" stays as typed, for the check to name).
  var GROUPED = /^[-+]?\d{1,3}(,\d{3})+(\.\d+)?%?$/;
  function pastedValue(input, value) {
    value = value.trim();
    return input.classList.contains("num") && GROUPED.test(value) ? value.replace(/,/g, "") : value;
  }

  function pasteBlock(el, text) {
    var tr = el.closest("tr");
    var block = tr && PASTE_BLOCKS.filter(function (b) { return tr.matches(b.rows); })[0];
    if (!block || pasteTarget(el.closest("td"), block) !== el) return null;
    // Rows without an input (the budget's headings) are not part of the grid.
    var rows = Array.prototype.filter.call(form.querySelectorAll(block.rows), function (r) {
      return pasteCells(r).some(function (c) { return pasteTarget(c, block); });
    });
    var first = rows.indexOf(tr);
    var column = pasteCells(tr).indexOf(el.closest("td"));
    var filled = 0;
    parseGrid(text).forEach(function (values, k) {
      var row = rows[first + k];
      if (!row) return; // the block's end
      var cells = pasteCells(row);
      var any = false;
      values.forEach(function (value, c) {
        var input = pasteTarget(cells[column + c], block);
        if (!input) return;
        input.value = pastedValue(input, value);
        if (input.tagName === "TEXTAREA") autogrow(input);
        any = true;
      });
      if (any) filled += 1;
    });
    return filled;
  }

  form.addEventListener("paste", function (e) {
    var el = e.target;
    if (!el.matches || !el.matches("input[type=text], textarea")) return;
    var text = (e.clipboardData || window.clipboardData).getData("text");
    var body = text.replace(/[\r\n]+$/, "");
    if (!/[\t\n\r]/.test(body)) {
      // One value is the browser's to paste, unless it is a grouped amount for a figure box.
      var value = pastedValue(el, body);
      if (value === body.trim()) return;
      e.preventDefault();
      el.setRangeText(value, el.selectionStart, el.selectionEnd, "end");
      el.dispatchEvent(new Event("input", { bubbles: true }));
      return;
    }
    // Lines of text into a text box are the browser's to paste too.
    if (el.tagName === "TEXTAREA" && body.indexOf("\t") < 0) return;
    var filled = pasteBlock(el, text);
    if (filled === null) return;
    e.preventDefault();
    touched();
    scheduleScore(0);
    setStatus(fmt(T.pasted, filled), "dirty");
  });

  // ------------------------------------------------------------------ textareas grow with their text

  function autogrow(el) {
    el.style.height = "auto";
    el.style.height = el.scrollHeight + 2 + "px";
  }
  function autogrowAll() {
    form.querySelectorAll("table textarea").forEach(autogrow);
  }
})();

