// Inside an LMS frame, ask the LMS to fit the frame to the page (lti.frameResize; LMSs that do not
// honour it ignore the message, which carries nothing but a height).
(function () {
  if (window.parent === window || !window.postMessage) return;
  var told = 0;
  function tell() {
    var height = Math.ceil(document.documentElement.scrollHeight);
    if (Math.abs(height - told) < 4) return;
    told = height;
    window.parent.postMessage({subject: "lti.frameResize", height: height}, "*");
  }
  window.addEventListener("load", tell);
  if (window.ResizeObserver) new ResizeObserver(tell).observe(document.body);
})();

// A tab whose browser refuses the tool's cookies inside the LMS frame keeps its launch by sending the
// page's launch token in the body of a POST for every link and GET form (lti/navigation.py turns it
// back into the GET). The token never goes into an address: a copied link opens nothing elsewhere.
(function () {
  var meta = document.querySelector('meta[name="vo-launch-token"]');
  if (!meta || document.cookie.indexOf("vo_cookies=1") !== -1) return;  // cookies work: plain links
  var token = meta.getAttribute("content");

  function navigate(href) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = href;
    [["lt", token], ["_nav", "1"]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  function ours(url) {
    return url.origin === location.origin && url.pathname.indexOf("/static/") !== 0;
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) return;
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link.hasAttribute("download") || (link.target && link.target !== "_self")) return;
    var url = new URL(link.getAttribute("href"), location.href);
    if (!ours(url)) return;
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
    event.preventDefault();
    navigate(url.href);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "get") return;
    var url = new URL(form.getAttribute("action") || location.href, location.href);
    if (!ours(url)) return;
    event.preventDefault();
    var data = event.submitter ? new FormData(form, event.submitter) : new FormData(form);
    url.search = new URLSearchParams(data).toString();
    navigate(url.href);
  });
})();

// The neutral page "leave quickly" opened (static/js/quick_exit.js): it was served under the launch,
// and now ends it, so Back and the tab's other addresses show no report page.
(function () {
  var leave = null;
  try {
    leave = window.sessionStorage.getItem("vo-leave");
    if (leave) window.sessionStorage.removeItem("vo-leave");
  } catch (error) {
    return;
  }
  var meta = document.querySelector('meta[name="vo-launch-token"]');
  if (!leave || !meta || !navigator.sendBeacon) return;
  if (new URL(leave, location.href).origin !== location.origin) return;  // the token goes nowhere else
  var data = new FormData();
  data.append("lt", meta.getAttribute("content"));
  navigator.sendBeacon(leave, data);
})();
