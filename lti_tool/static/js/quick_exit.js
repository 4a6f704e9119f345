// "Leave quickly": replace this page with the neutral one in place, so the browser's history gets
// no new entry and Back does not return here; the link itself is the fallback without script.
(function () {
  document.querySelectorAll("a[data-quick-exit]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.location.replace(link.href);
    });
  });
})();
