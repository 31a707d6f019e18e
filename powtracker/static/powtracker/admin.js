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

// The language menu in the header switches as soon as a language is chosen; without script,
// its button does.
{
    const menu = document.querySelector("form.language-menu");
    if (menu) {
        menu.classList.add("language-menu-scripted");
        menu.querySelector("select").addEventListener("change", () => menu.submit());
    }
}
