// The close form: choosing an outcome fills in its example closing message, unless the
// coordinator already wrote their own (an empty box or an untouched example is replaced).
(function () {
  var outcome = document.getElementById("outcome");
  var message = document.querySelector("[data-closing-message]");
  if (!outcome || !message) return;
  var examples = Array.prototype.map.call(outcome.options, function (o) { return o.getAttribute("data-message") || ""; });
  outcome.addEventListener("change", function () {
    var chosen = outcome.options[outcome.selectedIndex].getAttribute("data-message");
    if (chosen && (message.value.trim() === "" || examples.indexOf(message.value) !== -1)) message.value = chosen;
  });
})();
