// Shared code of the personal-area islands (bundled by Hugo's js.Build into one script that the
// "area-personale" shortcode loads before the islands): formats and the view helper.
import * as format from './format.js';
import { view, el, append, facts, badge, link, apiVerbale } from './vista.js';

window.portaleAreaPersonale = { format: format, view: view, el: el, append: append, facts: facts, badge: badge, link: link, apiVerbale: apiVerbale };
