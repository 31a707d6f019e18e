// A captive's page: once the page scrolls past the top of the summary held in view, the summary
// turns compact (one line a fact, the buttons and the menu), so it covers a strip of the screen
// rather than a third of it. Loaded by admin/cases/captive/change_form.html (no inline script).
"use strict";
{
    const summary = document.querySelector(".case-summary");
    if (summary && "IntersectionObserver" in window) {
        // A mark just above the summary: out of view means the summary is held at the top.
        const mark = document.createElement("div");
        mark.className = "case-summary-mark";
        mark.setAttribute("aria-hidden", "true");
        summary.before(mark);
        const compact = (held) => {
            if (held === summary.classList.contains("case-summary-compact")) {
                return;
            }
            if (!held) {
                summary.classList.remove("case-summary-compact");
                summary.style.marginBottom = "";
                return;
            }
            // A fact cut short shows whole on hover.
            for (const line of summary.querySelectorAll(".case-summary-grid dd")) {
                if (!line.title) {
                    line.title = line.textContent.trim();
                }
            }
            const full = summary.getBoundingClientRect().height;
            summary.classList.add("case-summary-compact");
            // The page below keeps its place: the room the summary gives up stays as margin.
            const margin = parseFloat(getComputedStyle(summary).marginBottom) || 0;
            const given = full - summary.getBoundingClientRect().height;
            summary.style.marginBottom = `${margin + Math.max(given, 0)}px`;
        };
        new IntersectionObserver((entries) => {
            for (const entry of entries) {
                const held = getComputedStyle(summary).position === "sticky";
                compact(held && !entry.isIntersecting && entry.boundingClientRect.top < 0);
            }
        }).observe(mark);
    }
}
