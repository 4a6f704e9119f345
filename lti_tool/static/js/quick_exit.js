// "Leave quickly": replace this page with the neutral one in place, so the browser's history gets
// no new entry and Back does not return here; the link itself is the fallback without script.
(function () {
  document.querySelectorAll("a[data-quick-exit]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      // End this tab's launch as the page goes, so Back shows no report page (the token is the proof).
      var meta = document.querySelector('meta[name="vo-launch-token"]');
      if (meta && navigator.sendBeacon) {
        var data = new FormData();
        data.append("lt", meta.getAttribute("content"));
        navigator.sendBeacon(link.getAttribute("data-leave"), data);
      }
      window.location.replace(link.href);
    });
  });
})();
