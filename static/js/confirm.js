/* Hikagami: forms that ask before doing something that cannot be undone.
 * A form with data-confirm="question" shows the question; Cancel sends nothing.
 * One listener for the whole page (no inline onsubmit: the Content-Security-Policy forbids it). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  });
})();
