// The query UI of /sparql, a static file so that the page's Content-Security-Policy allows no inline
// script. The endpoint comes from the container's data-endpoint, the examples from a JSON data block.
(function () {
  var examples = JSON.parse(document.getElementById("sparql-examples").textContent);
  var container = document.getElementById("yasgui");
  // No network beyond this server: drop the autocompleters that fetch prefix.cc and LOV.
  Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters.filter(function (name) {
    return ["prefixes", "property", "class"].indexOf(name) < 0;
  });
  var yasgui = new Yasgui(container, {
    requestConfig: { endpoint: container.dataset.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return []; } },
    yasqe: { value: examples.length ? examples[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10" }
  });
  window.yasgui = yasgui;
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
