// Online sessions: beside the organiser's time, add the visitor's own, e.g. "(7:00 pm your time)", when the
// visitor's time zone gives a different time. Progressive enhancement: without it the page still says the
// organiser's time and zone.
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) return;
  var own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var clock = { hour: "numeric", minute: "2-digit", hour12: true };
  var day = { weekday: "short", day: "numeric", month: "short" };
  function format(date, zone, options) {
    return new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: zone }, options)).format(date);
  }
  document.querySelectorAll("time[data-local-time]").forEach(function (element) {
    var date = new Date(element.getAttribute("datetime"));
    var zone = element.getAttribute("data-zone");
    if (isNaN(date.getTime()) || !zone) return;
    try {
      var theirs = format(date, zone, Object.assign({}, day, clock));
      var mine = format(date, own, Object.assign({}, day, clock));
      if (theirs === mine) return;
      var text = format(date, own, clock);
      if (format(date, zone, day) !== format(date, own, day)) text = format(date, own, day) + ", " + text;
      var note = document.createElement("span");
      note.className = "ld-muted";
      note.textContent = " (" + text + " your time)";
      element.parentNode.appendChild(note);
    } catch (error) {
      // An unknown zone name: leave the organiser's time as it is.
    }
  });
})();
