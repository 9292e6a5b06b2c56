// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Forms of destructive actions carry data-confirm="question": ask before sending.
  // Forms of long work carry data-busy="message": say that the work is under way, and stop
  // a second click from sending it twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.getAttribute) { return; }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    var busy = form.getAttribute("data-busy");
    if (busy) {
      if (form.getAttribute("aria-busy") === "true") {
        event.preventDefault();
        return;
      }
      form.setAttribute("aria-busy", "true");
      var status = form.querySelector(".busy-status");
      if (!status) {
        status = document.createElement("p");
        status.className = "busy-status";
        status.setAttribute("role", "status");
        form.appendChild(status);
      }
      var spinner = document.createElement("span");
      spinner.className = "spinner";
      spinner.setAttribute("aria-hidden", "true");
      status.textContent = "";
      status.appendChild(spinner);
      status.appendChild(document.createTextNode(" " + busy));
      var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
      window.setTimeout(function () {
        for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; }
      }, 0);
    }
  });

  // A wide table that scrolls sideways must be reachable by keyboard (WCAG 2.1.1): make the
  // scrolling box focusable and name it after the table's caption. On a tablet a table outside
  // such a box scrolls itself (app.css); it keeps its table role and gets the focus only.
  function markScrollableTables() {
    var boxes = document.querySelectorAll(".table-scroll, main .table:not(.keep, .table-scroll > *)");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        var caption = box.querySelector("caption");
        if (caption && !box.getAttribute("aria-label") && box.tagName !== "TABLE") {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else if (box.getAttribute("tabindex") === "0" && !box.hasAttribute("data-keep-tabindex")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
      }
    }
  }
  markScrollableTables();
  window.addEventListener("resize", markScrollableTables);

  // Put focus on an error summary, so keyboard and screen-reader users land on what to fix.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  // A <details> confirmation panel closes with Escape and gives focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelector("details.confirm-action[open]");
    if (open) {
      open.removeAttribute("open");
      open.querySelector("summary").focus();
    }
  });
})();
