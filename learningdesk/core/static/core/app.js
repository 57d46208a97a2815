// Learning Desk's page script (an ES module, so it runs after the page has been parsed).
// Starts GOV.UK Frontend's components, and starts them again inside whatever htmx swaps in.

import { initAll } from "./dist/govuk-frontend.min.js";

initAll();

// htmx fires afterSettle on each element it has just put in the page. Search from its parent, so a
// swapped-in element that is itself a component (data-module on the element) is found too; the
// components around it were started already, which GOV.UK Frontend reports as an InitError: ignore those
// (and SupportError: the browser is too old, and the page works without JavaScript).
document.addEventListener("htmx:afterSettle", (event) => {
  const element = event.target;
  if (!(element instanceof Element)) return;
  initAll({
    scope: element.parentElement ?? element,
    onError: (error) => {
      if (!["InitError", "SupportError"].includes(error?.name)) console.error(error);
    },
  });
});
