// Tell the LMS that dynamic registration is finished (LTI Dynamic Registration, section 3.6).
(function () {
  function close() {
    (window.opener || window.parent).postMessage({ subject: "org.imsglobal.lti.close" }, "*");
  }
  document.querySelectorAll("[data-close-registration]").forEach(function (b) { b.addEventListener("click", close); });
})();
