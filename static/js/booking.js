/* Hikagami: the booking form's patient search. Typing a name, kana, number or phone lists the
 * matching patients under the box (the page's own search endpoint, patients:patient_matches);
 * picking one chooses the patient. Without JavaScript the "Search" button does the same with a
 * round trip. Enter in the box searches instead of submitting the booking. */
(function () {
  "use strict";
  var box = document.getElementById("id_patient_query");
  var list = document.getElementById("patient-matches");
  if (!box || !list) {
    return;
  }
  var timer = null;
  var asked = 0;

  function search() {
    var query = box.value.trim();
    var mine = ++asked;
    if (!query) {
      return;
    }
    fetch(list.getAttribute("data-url") + "?q=" + encodeURIComponent(query), {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (mine !== asked) {
          return; // an answer to an earlier query
        }
        list.innerHTML = html;
        var radios = list.querySelectorAll("input[type=radio]");
        if (radios.length === 1) {
          radios[0].checked = true;
        }
      });
  }

  box.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 250);
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      window.clearTimeout(timer);
      search();
    }
  });
})();
