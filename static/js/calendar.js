/* Hikagami: drag a booked visit onto a free slot to move it (a tablet's finger or a mouse).
 * Progressive: every visit is a link to its page and every free slot a link, so the calendar
 * works without this; dropping opens the move form filled with the slot, where the desk
 * confirms (the same checks and locks as booking). The slots show free time for the chosen
 * menu's length; the move page says so if the visit's own length does not fit. */
(function () {
  "use strict";
  var calendar = document.getElementById("calendar");
  if (!calendar || !window.PointerEvent) {
    return;
  }
  var dragged = null;
  var startX = 0;
  var startY = 0;
  var moved = false;
  var over = null;

  function slotAt(x, y) {
    var found = document.elementFromPoint(x, y);
    return found && found.closest ? found.closest(".cal-slot") : null;
  }

  calendar.addEventListener("pointerdown", function (event) {
    var visit = event.target.closest(".cal-visit.status-booked");
    if (!visit) {
      return;
    }
    dragged = visit;
    startX = event.clientX;
    startY = event.clientY;
    moved = false;
  });

  calendar.addEventListener("pointermove", function (event) {
    if (!dragged) {
      return;
    }
    if (!moved && Math.abs(event.clientX - startX) + Math.abs(event.clientY - startY) < 8) {
      return;
    }
    if (!moved) {
      moved = true;
      dragged.classList.add("cal-dragging");
      dragged.setPointerCapture(event.pointerId);
    }
    var slot = slotAt(event.clientX, event.clientY);
    if (slot !== over) {
      if (over) {
        over.classList.remove("cal-drop");
      }
      over = slot;
      if (over) {
        over.classList.add("cal-drop");
      }
    }
  });

  function finish(event) {
    if (!dragged) {
      return;
    }
    var visit = dragged;
    var slot = moved ? slotAt(event.clientX, event.clientY) : null;
    visit.classList.remove("cal-dragging");
    if (over) {
      over.classList.remove("cal-drop");
    }
    dragged = null;
    over = null;
    if (slot) {
      var target = new URL(slot.href, window.location.href);
      var move = new URL(visit.getAttribute("data-move"), window.location.href);
      move.searchParams.set("practitioner", target.searchParams.get("practitioner"));
      move.searchParams.set("start", target.searchParams.get("start"));
      window.location.href = move.toString();
    }
  }

  calendar.addEventListener("pointerup", finish);
  // A link is dragged natively by the browser (which would cancel the pointer): not here.
  calendar.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".cal-visit")) {
      event.preventDefault();
    }
  });
  calendar.addEventListener("pointercancel", function () {
    if (dragged) {
      dragged.classList.remove("cal-dragging");
    }
    dragged = null;
  });
  // A drag that ended is not also a click on the visit's link.
  calendar.addEventListener("click", function (event) {
    if (moved && event.target.closest(".cal-visit")) {
      event.preventDefault();
      moved = false;
    }
  }, true);
})();
