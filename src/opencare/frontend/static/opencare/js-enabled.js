// GOV.UK Frontend's page-template snippet, as a file so the Content-Security-Policy needs no inline script: it marks
// the page as having JavaScript (and a browser GOV.UK Frontend supports) before the page is drawn, so components
// that JavaScript enhances do not flash. Loaded without defer or async, as the first thing in <body>.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
