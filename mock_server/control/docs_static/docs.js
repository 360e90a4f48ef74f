// Starts Swagger UI on the spec copy named by #swagger-ui's data-spec-url (see docs.py).
window.addEventListener("load", function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.dataset.specUrl,
    domNode: node,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    docExpansion: "full",
    defaultModelsExpandDepth: -1,
    displayRequestDuration: true,
    validatorUrl: null,       // never ask an online validator
    queryConfigEnabled: false, // never take ?url= / ?configUrl= from the address bar
    deepLinking: false,
    persistAuthorization: false,
    supportedSubmitMethods: ["get"]
  });
});
