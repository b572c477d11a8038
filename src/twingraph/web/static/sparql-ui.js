// The query UI of /sparql, a static file so that the page's Content-Security-Policy allows no inline
// script. The endpoint comes from the container's data-endpoint, the examples from a JSON data block.
(function () {
  var examples = JSON.parse(document.getElementById("sparql-examples").textContent);
  var container = document.getElementById("yasgui");
  // No network beyond this server: drop the autocompleters that fetch prefix.cc and LOV.
  Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters.filter(function (name) {
    return ["prefixes", "property", "class"].indexOf(name) < 0;
  });
  // Literals as values, their datatype or language in small print after them (not "1952"^^<http://...>).
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function shorten(iri, prefixes) {
    if (iri.indexOf(XSD) === 0) return "xsd:" + iri.substring(XSD.length);
    for (var prefix in prefixes || {}) {
      if (prefixes[prefix] && iri.indexOf(prefixes[prefix]) === 0) return prefix + ":" + iri.substring(prefixes[prefix].length);
    }
    return iri;
  }
  Yasgui.Yasr.plugins.table.prototype.formatLiteral = function (literal, prefixes) {
    var text = escapeHtml(literal.value);
    if (literal["xml:lang"]) {
      return text + ' <small class="literal-lang">' + escapeHtml(literal["xml:lang"]) + "</small>";
    }
    if (literal.datatype) {
      return text + ' <small class="literal-datatype" title="' + escapeHtml(literal.datatype) + '">' +
        escapeHtml(shorten(literal.datatype, prefixes)) + "</small>";
    }
    return text;
  };
  var yasgui = new Yasgui(container, {
    requestConfig: { endpoint: container.dataset.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return []; } },
    // Long lines wrap (and the editor keeps room on the right) so the run and share buttons cover no text.
    yasqe: { value: examples.length ? examples[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10", lineWrapping: true }
  });
  window.yasgui = yasgui;
  // Accessibility of the vendored editor: its text area gets a name, its scrolling region a tab stop.
  container.querySelectorAll("textarea").forEach(function (area) {
    area.setAttribute("aria-label", container.dataset.editorLabel || "SPARQL");
  });
  container.querySelectorAll(".CodeMirror-scroll").forEach(function (region) {
    region.setAttribute("tabindex", "0");
  });
  var description = document.getElementById("example-description");
  document.querySelectorAll(".sparql-examples button").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = examples[Number(button.dataset.example)];
      yasgui.getTab().setQuery(example.query);
      description.textContent = example.description;
      document.querySelectorAll(".sparql-examples button").forEach(function (other) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
    });
  });
})();
