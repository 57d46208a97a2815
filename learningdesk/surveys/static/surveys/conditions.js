// Conditional questions: show a question only when the earlier answer it depends on is given, as the page is
// filled in. Progressive enhancement: without it every question shows, with "Only if you answered ..." beside
// the conditional ones, and the server drops answers to questions whose condition is not met.
(function () {
  "use strict";
  var form = document.querySelector("form[data-survey-form]");
  if (!form) return;
  var dependants = Array.prototype.slice.call(form.querySelectorAll("[data-show-if]"));
  if (!dependants.length) return;

  function answered(name, wanted) {
    var question = document.getElementById(name + "-question");
    if (question && question.hidden) return false; // an unasked question has no answer
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      var checkable = input.type === "radio" || input.type === "checkbox";
      if ((!checkable || input.checked) && input.value === wanted) return true;
    }
    return false;
  }

  function update() {
    // Conditions point at earlier questions, so one pass in page order settles chains of them.
    dependants.forEach(function (question) {
      question.hidden = !answered(question.getAttribute("data-show-if"), question.getAttribute("data-show-if-value"));
    });
  }

  form.addEventListener("change", update);
  update();
})();
