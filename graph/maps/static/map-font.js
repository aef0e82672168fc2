// Runs in the page's head: starts decoding the embedded Japanese font (the @font-face rule of
// impactkg.graph.export.webfont) while the browser parses the rest of the page, the network's
// script and the map's data. The page script (map.js) waits for the font before its first
// drawing; started here, the wait is mostly over by then. FONT_FAMILY is replaced by the
// family's name when the page is written.
(function () {
  "use strict";
  if (document.fonts && document.fonts.load) { document.fonts.load('14px "FONT_FAMILY"', "\u3042"); }
})();
