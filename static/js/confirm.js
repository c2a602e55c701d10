/* A confirmation step for consequential buttons (退回, 审核通过, 公开, 公开所选).
 *
 * A submit button with data-confirm="question" opens templates/_confirm_dialog.html
 * instead of submitting; 确定 submits its form with that very button (its name and value
 * posted), 取消 or Esc leaves everything as it was. The words come from the page (the
 * button's data attributes, the dialog's buttons), none from here. Optional:
 *   data-confirm-detail="#id_reason"  quote that field's value under the question
 *   data-confirm-count="selector"      replace {n} in the question by how many match
 * Without the script (or without <dialog>) the buttons submit at once, as before.
 */
(function () {
  "use strict";
  const dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  const title = dialog.querySelector("[data-confirm-title]");
  const detail = dialog.querySelector("[data-confirm-detail]");
  const ok = dialog.querySelector("button[value=ok]");
  let pending = null;

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-confirm]");
    if (!button || !button.form) return;
    event.preventDefault();
    let question = button.dataset.confirm;
    if (button.dataset.confirmCount) {
      question = question.replace("{n}", String(document.querySelectorAll(button.dataset.confirmCount).length));
    }
    title.textContent = question;
    const source = button.dataset.confirmDetail && document.querySelector(button.dataset.confirmDetail);
    const quoted = source ? source.value.trim() : "";
    detail.textContent = quoted;
    detail.hidden = !quoted;
    ok.textContent = button.textContent.trim();
    ok.classList.toggle("danger", button.classList.contains("danger"));
    ok.classList.toggle("primary", !button.classList.contains("danger"));
    pending = button;
    dialog.returnValue = "";
    dialog.showModal();
    // A danger (退回) starts on 取消: an Enter pressed by habit sends nothing.
    (button.classList.contains("danger") ? dialog.querySelector("button[value=cancel]") : ok).focus();
  });

  dialog.addEventListener("close", function () {
    const button = pending;
    pending = null;
    if (button && dialog.returnValue === "ok") {
      // requestSubmit posts the button's name and value, as its own click would have.
      button.form.requestSubmit(button);
    }
  });
})();
