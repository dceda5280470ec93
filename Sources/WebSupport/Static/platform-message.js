// Sends the platform the LTI message the page names in #platform-message's data-subject
// (after a registration, "org.imsglobal.lti.close": close the dialog this page is shown in).
(function () {
  "use strict";
  var subject = document.getElementById("platform-message").dataset.subject;
  (window.opener || window.parent).postMessage({ subject: subject }, "*");
})();
