// Faultline report page, entry point: header and checkers first (what a reader needs in the
// first second), then the timeline, then the charts after the first paint.
(function () {
  'use strict';
  const FL = window.FL;
  const app = document.getElementById('app');
  const timeline = FL.timeline.render();
  app.replaceChildren(...[FL.header(), FL.checkers(), timeline, FL.charts(), FL.logs()].flat().filter(Boolean));
  // Navigation only to the sections this run has.
  for (const a of app.querySelectorAll('nav a[data-for]')) if (!document.getElementById(a.getAttribute('data-for'))) a.remove();
  requestAnimationFrame(() => {
    // The header, checkers and timeline are laid out and about to be painted.
    performance.mark('faultline-first-view');
    setTimeout(() => {
      for (const job of FL.ready) job();
      document.body.setAttribute('data-ready', '1');
      performance.mark('faultline-ready');
    }, 0);
  });
})();
