/* Findings panel: a narrative finding selects the words it quotes; a row finding flashes its cell.
 *
 * Loaded after report.js (which scrolls to and focuses the field). The engine quotes the
 * normalised text (full-width digits folded, spaces dropped), so the quote is matched against
 * the section's text folded the same way, and the match is mapped back to the raw offsets.
 */
(function () {
  "use strict";

  var EXTRA = { "≧": "≥", "≦": "≤", "﹪": "%" };

  // The text folded (NFKC, no whitespace) and, for each folded character, its raw offset.
  function fold(text) {
    var out = "";
    var at = [];
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      if (/\s/.test(c)) continue;
      var f = EXTRA[c] || c.normalize("NFKC");
      for (var j = 0; j < f.length; j++) {
        out += f[j];
        at.push(i);
      }
    }
    return { text: out, at: at };
  }

  // [start, end) of quote in text, or null.
  function findQuote(text, quote) {
    if (!quote) return null;
    var hay = fold(text);
    var needle = fold(quote).text;
    if (!needle) return null;
    var k = hay.text.indexOf(needle);
    if (k < 0) return null;
    return [hay.at[k], hay.at[k + needle.length - 1] + 1];
  }

  function flash(el) {
    if (!el) return;
    el.classList.remove("finding-flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("finding-flash");
  }

  // Report page: the textarea (editable or read-only) gets the quoted words selected.
  function selectIn(li) {
    var form = document.getElementById("report-form");
    if (!form || !li) return;
    var target = li.dataset.target;
    var el = target ? form.querySelector('[name="' + CSS.escape(target) + '"]') : null;
    if (el && el.tagName === "TEXTAREA") {
      var span = findQuote(el.value, li.dataset.quote);
      el.focus({ preventScroll: true });
      if (span) el.setSelectionRange(span[0], span[1]);
      return;
    }
    if (el) {
      flash(el.closest("td, th") || el);
      return;
    }
    if (li.dataset.rowRef) {
      var row = form.querySelector('tr[data-row="' + CSS.escape(li.dataset.rowRef) + '"]');
      if (row) flash(row.querySelector("td.c-l3, td.c-name, th.item") || row.cells[0]);
    }
  }

  // Review page: the section is text, not a field: wrap the quoted words in a <mark>.
  function markIn(section, quote) {
    document.querySelectorAll("mark.finding-mark").forEach(function (m) {
      m.replaceWith(document.createTextNode(m.textContent));
    });
    var prose = section.querySelector(".prose");
    if (!prose) return;
    prose.normalize();
    var walker = document.createTreeWalker(prose, NodeFilter.SHOW_TEXT);
    var nodes = [];
    var text = "";
    while (walker.nextNode()) {
      nodes.push({ node: walker.currentNode, start: text.length });
      text += walker.currentNode.data;
    }
    var span = findQuote(text, quote);
    if (!span) return;
    var first = null;
    // Wrap each text node's part of the range (a quote may cross a <br>).
    nodes.forEach(function (n) {
      var a = Math.max(span[0], n.start) - n.start;
      var b = Math.min(span[1], n.start + n.node.data.length) - n.start;
      if (a >= b) return;
      var range = document.createRange();
      range.setStart(n.node, a);
      range.setEnd(n.node, b);
      var mark = document.createElement("mark");
      mark.className = "finding-mark";
      range.surroundContents(mark);
      first = first || mark;
    });
    if (first) first.scrollIntoView({ block: "center" });
  }

  document.addEventListener("click", function (e) {
    var link = e.target.closest("#findings .goto");
    if (!link) return;
    var li = link.closest("li");
    if (document.getElementById("report-form")) {
      selectIn(li);
      return;
    }
    var href = link.getAttribute("href") || "";
    var dest = href.charAt(0) === "#" ? document.getElementById(href.slice(1)) : null;
    if (!dest) return;
    if (li.dataset.quote && dest.classList.contains("narrative-section")) {
      e.preventDefault();
      history.replaceState(null, "", href);
      markIn(dest, li.dataset.quote);
    } else {
      flash(dest);
    }
  });

  // The submit page links here as #goto=code@where: report.js focuses the field, we select.
  var wanted = /^#goto=([^@]*)@(.*)$/.exec(location.hash);
  if (wanted && document.getElementById("report-form")) {
    var code = decodeURIComponent(wanted[1]);
    var where = decodeURIComponent(wanted[2]);
    var items = document.querySelectorAll("#findings li[data-where]");
    for (var i = 0; i < items.length; i++) {
      if (items[i].dataset.code === code && items[i].dataset.where === where) {
        selectIn(items[i]);
        break;
      }
    }
  }
})();
