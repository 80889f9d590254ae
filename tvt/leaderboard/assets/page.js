(function () {
  "use strict";
  function key(cell, numeric) {
    var v = cell.getAttribute("data-value");
    if (!numeric) { return (v === null ? cell.textContent : v).toLowerCase(); }
    var x = parseFloat(v);
    return isNaN(x) ? null : x;
  }
  function sortTable(table, col, numeric, dir) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[col], numeric), y = key(b.cells[col], numeric);
      if (x === y) { return 0; }
      if (x === null) { return 1; }
      if (y === null) { return -1; }
      return (x < y ? -1 : 1) * dir;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  var tables = document.querySelectorAll("table.board");
  Array.prototype.forEach.call(tables, function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = th.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        if (th.getAttribute("aria-sort") === "none" && th.getAttribute("data-first") === "desc") { dir = -1; }
        Array.prototype.forEach.call(heads, function (h) {
          if (h.hasAttribute("aria-sort")) { h.setAttribute("aria-sort", "none"); }
        });
        sortTable(table, col, th.getAttribute("data-type") === "num", dir);
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      });
    });
  });
})();
