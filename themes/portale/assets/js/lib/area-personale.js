// Shared code of the personal-area islands, bundled by Hugo's js.Build into one script that the
// "area-personale" shortcode loads before the islands: formats, the view helper, verbale parts,
// the forms that send something to the office.
import * as format from './format.js';
import * as verbale from './verbale.js';
import { view, el, append, facts, badge, link, fill, apiVerbale } from './vista.js';
import * as moduli from './moduli.js';

window.portaleAreaPersonale = { format: format, verbale: verbale, view: view, el: el, append: append, facts: facts, badge: badge, link: link, fill: fill, apiVerbale: apiVerbale, moduli: moduli };
