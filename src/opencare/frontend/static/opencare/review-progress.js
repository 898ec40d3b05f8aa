// Progressive enhancement of the "Checking your data" page: ask the server every second how far the check has got,
// say so to screen readers through the live region, and show the report as soon as it is ready.
// Without this script the page has a "Check again" button that does the same.
const box = document.getElementById("review-progress");
const text = document.getElementById("review-progress-text");
const POLL_MS = 1000;

async function poll() {
  try {
    const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (response.status === 404) {
      window.location.reload();
      return;
    }
    const status = await response.json();
    if (status.status === "ready" || status.status === "failed") {
      window.location.assign(status.url);
      return;
    }
    // The sentence comes from the server, in the page's language (English, or Welsh under /cy/).
    text.textContent = status.progress_text;
  } catch (error) {
    // A dropped connection is not the end: try again on the next tick.
  }
  window.setTimeout(poll, POLL_MS);
}

if (box && text) {
  window.setTimeout(poll, 300);
}
