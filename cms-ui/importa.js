// "Importa da Word/Excel" (C10): an editor component of Decap CMS's
// rich-text body. The editor picks a file; it is converted in the browser,
// never uploaded: a Word document (.docx) to Markdown through mammoth, a
// spreadsheet (.xlsx, .ods) to a Markdown table through SheetJS. The
// converters (copied from node_modules by `make assets`) load only when a
// file is chosen. window.portaleImporta exposes the conversion to the tests.
(function () {
  'use strict';

  var WIDGET = 'importa-word-excel';

  // ImportError carries the Italian message the editor reads.
  function ImportError(message) {
    this.name = 'ImportError';
    this.message = message;
  }
  ImportError.prototype = Object.create(Error.prototype);

  var loading = {};

  function loadScript(src) {
    if (!loading[src]) {
      loading[src] = new Promise(function (resolve, reject) {
        var s = document.createElement('script');
        s.src = src;
        s.onload = resolve;
        s.onerror = function () {
          delete loading[src];
          reject(new ImportError('Il convertitore non si è caricato: ricarica la pagina e riprova.'));
        };
        document.head.appendChild(s);
      });
    }
    return loading[src];
  }

  // escapeText keeps text literal in Markdown: characters that would start
  // emphasis, links, code, HTML or a block (heading, list, quote) are
  // escaped.
  function escapeText(s) {
    return s.replace(/([\\`*_\[\]<>|])/g, '\\$1');
  }

  function escapeLineStart(s) {
    return s.replace(/^(\s*)([#>+\-=]|\d+[.)])/, function (m, space, mark) {
      return space + mark.replace(/^(\d+)([.)])$/, '$1\\$2').replace(/^([#>+\-=])$/, '\\$1');
    });
  }

  function collapse(s) {
    return s.replace(/[\s\u00a0]+/g, ' ');
  }

  // wrap puts a Markdown mark around text, keeping the spaces at its edges
  // outside (Markdown ignores "** bold **").
  function wrap(mark, text) {
    var m = /^(\s*)([\s\S]*?)(\s*)$/.exec(text);
    if (!m[2]) return text;
    return m[1] + mark + m[2] + mark + m[3];
  }

  function safeHref(href) {
    return /^(https?:|mailto:|tel:|\/)/i.test(href) ? href : '';
  }

  // inline is the Markdown of an element's inline content.
  function inline(node, stats) {
    var out = '';
    node.childNodes.forEach(function (n) {
      if (n.nodeType === Node.TEXT_NODE) {
        out += escapeText(collapse(n.nodeValue));
        return;
      }
      if (n.nodeType !== Node.ELEMENT_NODE) return;
      var tag = n.tagName.toLowerCase();
      switch (tag) {
        case 'strong': case 'b':
          out += wrap('**', inline(n, stats));
          break;
        case 'em': case 'i':
          out += wrap('_', inline(n, stats));
          break;
        case 'a':
          var text = inline(n, stats), href = safeHref(n.getAttribute('href') || '');
          out += href && text.trim() ? '[' + text.trim() + '](' + href.replace(/[()\s]/g, encodeURIComponent) + ')' : text;
          break;
        case 'br':
          out += stats.inTable ? ' ' : '\\\n';
          break;
        case 'img':
          stats.images++;
          break;
        default:
          out += inline(n, stats);
      }
    });
    return out;
  }

  function cell(node, stats) {
    stats.inTable = true;
    var s = inline(node, stats).trim();
    stats.inTable = false;
    return s;
  }

  // blocks is the Markdown of a sequence of block elements, one string per
  // block.
  function blocks(parent, stats, depth) {
    var out = [];
    parent.childNodes.forEach(function (n) {
      if (n.nodeType === Node.TEXT_NODE) {
        var t = collapse(n.nodeValue).trim();
        if (t) out.push(escapeLineStart(escapeText(t)));
        return;
      }
      if (n.nodeType !== Node.ELEMENT_NODE) return;
      var tag = n.tagName.toLowerCase();
      var heading = /^h([1-6])$/.exec(tag);
      if (heading) {
        var h = inline(n, stats).trim();
        if (h) out.push('#'.repeat(Number(heading[1])) + ' ' + h);
      } else if (tag === 'p') {
        var p = inline(n, stats).trim();
        if (p) out.push(escapeLineStart(p));
      } else if (tag === 'ul' || tag === 'ol') {
        out.push(list(n, stats, depth || 0));
      } else if (tag === 'table') {
        var rows = [];
        n.querySelectorAll('tr').forEach(function (tr) {
          if (tr.closest('table') !== n) return;
          var row = [];
          tr.querySelectorAll('td, th').forEach(function (td) {
            if (td.closest('tr') === tr) row.push(cell(td, stats));
          });
          rows.push(row);
        });
        var t = table(rows, false);
        if (t) out.push(t);
      } else if (tag === 'img') {
        stats.images++;
      } else {
        out = out.concat(blocks(n, stats, depth));
      }
    });
    return out;
  }

  function list(el, stats, depth) {
    var lines = [], n = 0, ordered = el.tagName.toLowerCase() === 'ol';
    el.childNodes.forEach(function (li) {
      if (li.nodeType !== Node.ELEMENT_NODE || li.tagName.toLowerCase() !== 'li') return;
      n++;
      var marker = ordered ? n + '. ' : '- ';
      var indent = '  '.repeat(depth);
      var text = '', nested = [];
      li.childNodes.forEach(function (c) {
        if (c.nodeType === Node.ELEMENT_NODE && /^(ul|ol)$/i.test(c.tagName)) {
          nested.push(list(c, stats, depth + 1));
        } else if (c.nodeType === Node.ELEMENT_NODE && c.tagName.toLowerCase() === 'p') {
          text += (text ? ' ' : '') + inline(c, stats);
        } else {
          var span = document.createElement('span');
          span.appendChild(c.cloneNode(true));
          text += inline(span, stats);
        }
      });
      lines.push(indent + marker + text.trim());
      lines = lines.concat(nested);
    });
    return lines.join('\n');
  }

  // table writes rows (the first is the header) as a Markdown table,
  // dropping empty rows and empty trailing columns. Cells of a spreadsheet
  // arrive as plain text (escape them); cells from Word are Markdown already.
  function table(rows, escape) {
    rows = rows.map(function (r) {
      return r.map(function (c) {
        var s = collapse(c == null ? '' : String(c)).trim();
        return escape ? escapeText(s) : s;
      });
    }).filter(function (r) {
      return r.some(function (c) { return c !== ''; });
    });
    if (!rows.length) return '';
    var width = 0;
    rows.forEach(function (r) {
      for (var i = r.length; i > 0; i--) {
        if (r[i - 1] !== '') { width = Math.max(width, i); break; }
      }
    });
    var line = function (r) {
      var cells = [];
      for (var i = 0; i < width; i++) cells.push(r[i] || '');
      return '| ' + cells.join(' | ') + ' |';
    };
    var out = [line(rows[0]), '|' + ' --- |'.repeat(width)];
    rows.slice(1).forEach(function (r) { out.push(line(r)); });
    return out.join('\n');
  }

  function htmlToMarkdown(html) {
    var doc = new DOMParser().parseFromString('<body>' + html + '</body>', 'text/html');
    var stats = { images: 0, inTable: false };
    var md = blocks(doc.body, stats, 0).join('\n\n');
    return { markdown: md, images: stats.images };
  }

  function extension(name) {
    var m = /\.([^.]+)$/.exec(name || '');
    return m ? m[1].toLowerCase() : '';
  }

  function readFile(file) {
    if (file.arrayBuffer) return file.arrayBuffer();
    return new Promise(function (resolve, reject) {
      var r = new FileReader();
      r.onload = function () { resolve(r.result); };
      r.onerror = function () { reject(new ImportError('Non riesco a leggere il file: riprova.')); };
      r.readAsArrayBuffer(file);
    });
  }

  function convertWord(buf, name) {
    return loadScript('/cms/mammoth.browser.min.js').then(function () {
      return window.mammoth.convertToHtml({ arrayBuffer: buf }, {
        // Images are left out: they belong in the media library, not
        // inline in the page as data: URLs.
        convertImage: window.mammoth.images.imgElement(function () { return Promise.resolve({ src: '' }); })
      });
    }).then(function (result) {
      var r = htmlToMarkdown(result.value);
      if (!r.markdown.trim()) {
        throw new ImportError('Il documento «' + name + '» non contiene testo da importare.');
      }
      var notes = [];
      if (r.images) {
        notes.push(r.images === 1 ? "1 immagine non è stata importata: caricala con il pulsante Immagine."
          : r.images + ' immagini non sono state importate: caricale con il pulsante Immagine.');
      }
      return { markdown: r.markdown, html: result.value, notes: notes };
    }, function (err) {
      if (err instanceof ImportError) throw err;
      throw new ImportError('Il file «' + name + '» non è un documento Word valido (.docx): aprilo con Word o LibreOffice, salvalo come .docx e riprova.');
    });
  }

  function convertSheet(buf, name) {
    var bytes = new Uint8Array(buf);
    // .xlsx and .ods are zip archives: anything else (text, CSV, an old
    // .xls renamed) would be read as a one-column sheet.
    if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b || bytes[2] !== 3 || bytes[3] !== 4) {
      return Promise.reject(new ImportError('Il file «' + name + '» non è un foglio di calcolo valido (.xlsx o .ods): aprilo con Excel o LibreOffice, salvalo di nuovo e riprova.'));
    }
    return loadScript('/cms/xlsx.full.min.js').then(function () {
      var wb;
      try {
        wb = window.XLSX.read(bytes, { type: 'array' });
      } catch (e) {
        throw new ImportError('Il file «' + name + '» non è un foglio di calcolo valido (.xlsx o .ods): aprilo con Excel o LibreOffice, salvalo di nuovo e riprova.');
      }
      var sheet = wb.SheetNames.length ? wb.Sheets[wb.SheetNames[0]] : null;
      var rows = sheet ? window.XLSX.utils.sheet_to_json(sheet, { header: 1, raw: false, defval: '', blankrows: false }) : [];
      var md = table(rows, true);
      if (!md) {
        throw new ImportError('Il primo foglio di «' + name + '» è vuoto: metti la tabella nel primo foglio, con i titoli delle colonne nella prima riga.');
      }
      var notes = wb.SheetNames.length > 1 ? ['È stato importato solo il primo foglio («' + wb.SheetNames[0] + '»).'] : [];
      return { markdown: md, notes: notes };
    });
  }

  // convert turns a File into {markdown, notes}; a bad file rejects with an
  // ImportError whose message is for the editor.
  function convert(file) {
    var name = file && file.name ? file.name : 'senza nome';
    var ext = extension(name);
    var convertBuf = ext === 'docx' ? convertWord : (ext === 'xlsx' || ext === 'ods') ? convertSheet : null;
    if (!convertBuf) {
      var hint = ext === 'doc' || ext === 'xls'
        ? ' Il formato .' + ext + ' è quello vecchio: aprilo con Word, Excel o LibreOffice e salvalo come .docx o .xlsx.' : '';
      return Promise.reject(new ImportError('Posso importare solo documenti Word (.docx) e fogli di calcolo (.xlsx, .ods): «' + name + '» non lo è.' + hint));
    }
    if (file.size > 20 * 1024 * 1024) {
      return Promise.reject(new ImportError('Il file «' + name + '» è troppo grande: il massimo è 20 MB.'));
    }
    return readFile(file).then(function (buf) { return convertBuf(buf, name); });
  }

  function message(err) {
    return err instanceof ImportError ? err.message : 'La conversione non è riuscita: controlla il file e riprova.';
  }

  window.portaleImporta = { convert: convert, htmlToMarkdown: htmlToMarkdown, table: table, message: message };

  var CMS = window.CMS, h = window.h, createClass = window.createClass;
  if (!CMS || !h || !createClass) return;

  // The control of the component: a file chooser and what happened. Its
  // value is the Markdown of the imported file.
  var Control = createClass({
    getInitialState: function () {
      return { busy: false, error: '', done: '' };
    },
    choose: function (e) {
      var self = this, file = e.target.files && e.target.files[0];
      if (!file) return;
      self.setState({ busy: true, error: '', done: '' });
      convert(file).then(function (r) {
        self.props.onChange(r.markdown);
        self.setState({ busy: false, done: ['Importato «' + file.name + '». Il testo entra nella pagina al salvataggio; per ritoccarlo ora passa a Markdown e torna al testo formattato.'].concat(r.notes).join(' ') });
      }, function (err) {
        self.setState({ busy: false, error: message(err) });
      });
      e.target.value = '';
    },
    render: function () {
      var id = this.props.forID, s = this.state;
      var status = s.busy ? 'Conversione in corso…' : s.error || s.done ||
        (this.props.value ? 'Testo importato: scegli un altro file per sostituirlo.' : '');
      return h('div', { className: this.props.classNameWrapper },
        h('input', {
          id: id, type: 'file', accept: '.docx,.xlsx,.ods', onChange: this.choose, disabled: s.busy,
          'aria-describedby': id + '-stato',
          onFocus: this.props.setActiveStyle, onBlur: this.props.setInactiveStyle
        }),
        h('p', { id: id + '-stato', role: s.error ? 'alert' : 'status', 'data-importa-stato': s.error ? 'errore' : s.done ? 'fatto' : '',
          style: { margin: '8px 0 0', color: s.error ? '#b00020' : 'inherit', fontWeight: s.error ? 'bold' : 'normal' } }, status),
        this.props.value ? h('pre', { style: { maxHeight: '12em', overflow: 'auto', whiteSpace: 'pre-wrap', fontSize: '13px' } }, this.props.value) : null
      );
    }
  });

  var Preview = createClass({
    render: function () { return h('pre', {}, this.props.value || ''); }
  });

  CMS.registerWidget(WIDGET, Control, Preview);

  CMS.registerEditorComponent({
    id: 'importa-word-excel',
    label: 'Importa da Word/Excel',
    fields: [{
      name: 'markdown', label: 'File Word (.docx) o foglio Excel/LibreOffice (.xlsx, .ods)', widget: WIDGET,
      hint: 'Il file viene convertito qui nel browser: titoli, grassetti, elenchi, link e tabelle diventano testo della pagina. Dal foglio di calcolo si importa il primo foglio come tabella; la prima riga fa da intestazione.'
    }],
    // The block is the imported text itself: once saved it is ordinary
    // Markdown, so the pattern never matches a saved page.
    pattern: /^\u0000importa-word-excel\u0000$/,
    fromBlock: function () { return { markdown: '' }; },
    toBlock: function (data) { return (data && data.markdown) || ''; },
    toPreview: function (data) {
      var div = document.createElement('pre');
      div.textContent = (data && data.markdown) || '';
      return div.outerHTML;
    }
  });
})();
