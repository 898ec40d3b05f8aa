// On a phone, a wide table is easier to read as a list of cards than by scrolling sideways: each cell is labelled
// with its column's heading (data-label, shown by CSS under the tablet breakpoint). The table keeps its meaning for
// screen readers through explicit roles, because browsers drop table semantics from cells drawn as blocks.
// Without this script a wide table still works: it scrolls inside its own region.
export function stackTables(root = document) {
  for (const table of root.querySelectorAll(".opencare-table-scroll > table")) {
    const headings = [...table.querySelectorAll("thead tr:last-child th")].flatMap((th) =>
      Array(Number(th.getAttribute("colspan") || 1)).fill(th.textContent.trim().replace(/\s+/g, " ")),
    );
    if (headings.length === 0) continue;
    table.setAttribute("role", "table");
    for (const group of table.querySelectorAll("thead, tbody, tfoot")) group.setAttribute("role", "rowgroup");
    for (const row of table.querySelectorAll("tr")) {
      row.setAttribute("role", "row");
      let column = 0;
      for (const cell of row.children) {
        const inHead = cell.closest("thead") !== null;
        if (inHead) cell.setAttribute("role", "columnheader");
        else if (cell.tagName === "TH") cell.setAttribute("role", "rowheader");
        else cell.setAttribute("role", "cell");
        if (!inHead && headings[column]) cell.dataset.label = headings[column];
        column += Number(cell.getAttribute("colspan") || 1);
      }
    }
    table.classList.add("opencare-table--stacked");
  }
}
