// The teacher's course page: reloads the roster's rows every three seconds from the
// address in #roster's data-refresh (the page works without it, on reload), but never
// while the teacher is on one of the rows' buttons.
(function () {
  "use strict";
  var roster = document.getElementById("roster");
  function refresh() {
    if (roster.contains(document.activeElement)) { return setTimeout(refresh, 3000); }
    fetch(roster.dataset.refresh, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { roster.innerHTML = html; } })
      .catch(function () {})
      .then(function () { setTimeout(refresh, 3000); });
  }
  setTimeout(refresh, 3000);
})();
