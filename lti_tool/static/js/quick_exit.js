// "Leave quickly": replace this page with the neutral one in place, so the browser's history gets
// no new entry and Back does not return here; the link itself is the fallback without script.
(function () {
  function remember(leave) {
    // With cookies the neutral page opens under this launch and ends it itself (static/js/launch.js),
    // so the launch is still there when that page is served. Without storage, end it now.
    try {
      window.sessionStorage.setItem("vo-leave", leave);
      return true;
    } catch (error) {
      return false;
    }
  }

  document.querySelectorAll("a[data-quick-exit]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var leave = link.getAttribute("data-leave");
      var cookies = document.cookie.indexOf("vo_cookies=1") !== -1;
      // Without cookies the neutral page opens under no launch: end this tab's launch as the page goes
      // (the token is the proof), so Back shows no report page.
      if (!(cookies && remember(leave))) {
        var meta = document.querySelector('meta[name="vo-launch-token"]');
        if (meta && navigator.sendBeacon) {
          var data = new FormData();
          data.append("lt", meta.getAttribute("content"));
          navigator.sendBeacon(leave, data);
        }
      }
      window.location.replace(link.href);
    });
  });
})();
