// The student's lab pages. Both keep the "new window" form's pass fresh. The waiting page
// also follows the lab's progress (server-sent events from the address in #status's
// data-events), marks the steps done, and on "ready" goes to the single-use link it is sent;
// on a final state it shows what the student can do.
(function () {
  "use strict";
  var status = document.getElementById("status");
  var heading = document.getElementById("heading");
  var start = document.getElementById("start");
  var windowForm = document.getElementById("window");
  var steps = document.querySelectorAll("#steps li");

  function show(p) {
    status.textContent = p.text;
    document.getElementById("progress").value = p.step;
    steps.forEach(function (li, i) { li.className = i + 1 < p.step ? "done" : (i + 1 === p.step ? "current" : ""); });
    start.hidden = !(p.action === "start" || p.action === "retry");
    document.getElementById("start-button").textContent = p.action === "start" ? "Start my lab" : "Try again";
    document.getElementById("journey").hidden = !!p.action;
    heading.textContent = (p.action && heading.dataset[p.action]) || heading.dataset["default"];
  }

  // A window pass is good once and for two minutes: keep a fresh one in the form.
  function renewPass() {
    var body = new URLSearchParams({ csrf: document.querySelector("input[name=csrf]").value });
    fetch(windowForm.dataset.renew, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j) { document.getElementById("window-pass").value = j.pass; } })
      .catch(function () {});
  }
  setInterval(renewPass, 90000);
  windowForm.addEventListener("submit", function () { setTimeout(renewPass, 500); });

  // EventSource reconnects by itself after a dropped connection. The lab's home has no progress to follow.
  if (!window.EventSource || !status) { return; }
  var events = new EventSource(status.dataset.events);
  events.addEventListener("progress", function (e) {
    var p = JSON.parse(e.data);
    show(p);
    if (p.action) { events.close(); }
  });
  events.addEventListener("ready", function (e) {
    events.close();
    window.location.replace(JSON.parse(e.data).link);
  });
})();
