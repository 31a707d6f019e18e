// powtracker's admin: a list cell cut short with an ellipsis (admin.css) shows its whole text
// on hover. Loaded on every admin page by templates/admin/base_site.html (no inline script).
"use strict";
{
    const titleCutCells = () => {
        for (const cell of document.querySelectorAll("#result_list td, #result_list th")) {
            if (!cell.title && !cell.querySelector("[title]") && cell.scrollWidth > cell.clientWidth) {
                cell.title = cell.textContent.trim();
            }
        }
    };
    window.addEventListener("load", titleCutCells);
}
